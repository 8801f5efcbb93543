"""The searchable multiple choice in Chromium: typing in the filter box narrows the list, the choice is saved."""

import pytest

from projects.models import Project
from tests import factories

pytestmark = pytest.mark.browser


def test_secretariat_filters_upper_units_and_saves_the_choice(open_page, demo):
    for name in ("中国老科协", "山东省老科协", "山东省医学会", "中国机械工程学会"):
        factories.upper_unit(name)
    society = factories.society("市新材料学会")
    page = open_page()
    page.login("secretariat", demo)
    page.goto("/projects/new/")
    options = page.page.locator("#id_upper_units option")
    assert options.count() == 4
    page.page.fill("#id_upper_units-filter", "老科协")
    visible = page.page.locator("#id_upper_units option:not([hidden])")
    assert sorted(visible.all_inner_texts()) == sorted(["中国老科协", "山东省老科协"])
    page.page.select_option("#id_upper_units", label="山东省老科协")
    page.page.fill("#id_upper_units-filter", "")
    assert page.page.locator("#id_upper_units option:not([hidden])").count() == 4
    page.page.fill("#id_year", "2026")
    page.page.select_option("#id_society", str(society.pk))
    page.page.fill("#id_title", "老科协专家企业行")
    page.page.fill("#id_due_text", "6月")
    page.submit("main form button[type=submit]")
    project = Project.objects.get(title="老科协专家企业行")
    assert [unit.name for unit in project.upper_units.all()] == ["山东省老科协"]
