"""People are shown by their name (姓名), their user name only when they have none: one helper for history,
reports' "生成人", progress updates and the header."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from projects.choices import ProjectStatus
from projects.models import ProgressUpdate
from projects.services import change_status
from reports.halfyear import collect
from reports.models import ReportBuild
from sanlian.display import person_name
from societies.choices import Role
from tests import factories


@pytest.mark.parametrize(("first", "last", "shown"), [
    ("王芳", "", "王芳"), ("芳", "王", "王芳"), ("Fang", "Wang", "Fang Wang"), ("", "", "sec-wang"),
])
def test_person_name_prefers_the_name_and_writes_chinese_family_name_first(first, last, shown):
    assert person_name(User(pk=1, username="sec-wang", first_name=first, last_name=last)) == shown


def test_person_name_of_nobody_is_the_default():
    assert person_name(None) == "—" and person_name(None, "系统") == "系统"
    assert person_name(SimpleNamespace(pk=None)) == "—"


@pytest.fixture
def wang(db):
    account = factories.user(Role.SECRETARIAT, username="sec-wang")
    account.first_name = "王芳"
    account.save()
    return account


def test_project_history_and_updates_show_the_name_not_the_user_name(client, wang):
    project = factories.project()
    change_status(project, user=wang, status=ProjectStatus.IN_PROGRESS)
    update = ProgressUpdate.objects.create(project=project, happened_on=project.due_start, text="进展", author=wang)
    client.force_login(wang)
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    history = html[html.index('id="history"'):] if 'id="history"' in html else html
    assert "王芳" in history and "sec-wang" not in html
    assert update.pk


def test_halfyear_report_names_who_generated_it(wang, client):
    assert collect("2024H1", user=wang).generated_by == "王芳"
    ReportBuild.objects.create(half="2024H1", requested_by=wang)
    client.force_login(wang)
    html = client.get(reverse("reports:halfyear")).content.decode()
    assert "王芳" in html and "sec-wang" not in html
