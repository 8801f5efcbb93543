"""Searchable multiple choices: the long lists of the forms carry the filter hook (class js-multiselect and the
translated filter label) and the page loads the vendored script; the lists stay plain form controls."""

import re

import pytest
from django.urls import reverse

from societies.choices import Role
from societies.models import Expert, Industry
from tests import factories

pytestmark = pytest.mark.django_db


def hooked(html: str, name: str) -> str:
    """The opening tag of the control (select) or wrapper (check boxes) named ``name``, else ''."""
    select = re.search(r'<select name="{}"[^>]*>'.format(name), html)
    if select:
        return select.group(0)
    wrapper = re.search(r'<div id="id_{}"[^>]*>'.format(name), html)
    return wrapper.group(0) if wrapper else ""


@pytest.fixture
def secretariat(client):
    account = factories.user(Role.SECRETARIAT)
    client.force_login(account)
    return account


def test_multiselect_project_form_filters_upper_units_and_partners(client, secretariat):
    factories.upper_unit("中国老科协")
    factories.partner("枣庄矿业集团")
    html = client.get(reverse("projects:create")).content.decode()
    for name in ("upper_units", "partners"):
        tag = hooked(html, name)
        assert "js-multiselect" in tag, name
        assert "multiple" in tag and 'data-filter-label="输入文字筛选"' in tag, name
    assert "/static/js/multiselect.js" in html
    assert "<script>" not in html  # no inline code (CSP)


def test_multiselect_outcome_form_filters_experts_units_and_industries(client, secretariat):
    project = factories.project()
    Expert.objects.create(name="张专家")
    Industry.objects.get_or_create(name="高端装备")
    html = client.get(reverse("projects:outcome_create", args=[project.pk])).content.decode()
    for name in ("experts", "upper_units", "industries"):
        assert "js-multiselect" in hooked(html, name), name
    # the industries stay check boxes, each inside its own label (beside its name)
    assert re.search(r'<label[^>]*><input type="checkbox" name="industries"[^>]*>\s*高端装备</label>', html)


def test_multiselect_expert_form_filters_industries(client, secretariat):
    Industry.objects.get_or_create(name="新一代信息技术")
    html = client.get(reverse("societies:create", args=["experts"])).content.decode()
    assert "js-multiselect" in hooked(html, "industries")


def test_multiselect_plain_post_without_script_saves_choices(client, secretariat):
    """Without JavaScript the list is a plain multiple choice: the chosen ids are posted and stored."""
    unit, other = factories.upper_unit("中国老科协"), factories.upper_unit("山东省老科协")
    society = factories.society()
    response = client.post(reverse("projects:create"), {
        "year": 2026, "society": society.pk, "title": "多选测试项目", "due_text": "6月", "status": "planned",
        "upper_units": [unit.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    from projects.models import Project
    project = Project.objects.get(title="多选测试项目")
    assert list(project.upper_units.all()) == [unit]
    assert other not in project.upper_units.all()
