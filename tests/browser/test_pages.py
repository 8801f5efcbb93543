"""Pages a page at a time and forms that forgive, in Chromium: the pager keeps the filters, a failed form's summary
links to its fields, each check box sits beside its name (by position), no page wider than a phone."""

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def test_leadership_pages_through_a_long_filtered_list_on_a_phone(open_page, demo):
    from reports.demo import seed_demo
    from societies.models import Society

    seed_demo(projects=240, seed=4, password=demo)  # 15 projects for each of 16 societies
    society = Society.objects.get(name="市老科协")
    page = open_page(viewport=PHONE)
    page.login("leader", demo)
    page.goto("/projects/?size=20")
    assert page.page.locator("table.table tbody tr").count() == 20
    assert "第 1–20 条，共 240 条" in page.page.inner_text("main")
    assert page.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.goto("/projects/?status=&society={}&size=20".format(society.pk))
    assert "第 1–15 条，共 15 条" in page.page.inner_text("main")
    page.goto("/projects/?year={}".format(timezone.localdate().year))
    page.submit("nav.pager a[rel=next]")
    assert "第 51–100 条，共 240 条" in page.page.inner_text("main")
    assert "year={}".format(timezone.localdate().year) in page.page.url and "page=2" in page.page.url
    page.submit("nav.pager .page-sizes a >> text=100")
    assert page.page.locator("table.table tbody tr").count() == 100
    page.goto("/projects/?page=99999")
    assert "第 201–240 条，共 240 条" in page.page.inner_text("main")


def test_failed_project_form_links_to_its_fields_and_boxes_sit_beside_their_names(open_page, demo):
    from societies.models import District

    assert District.objects.count() >= 2  # the reference districts
    page = open_page(allow_statuses=(400,))  # a refused form answers 400
    page.login("secretariat", demo)
    page.goto("/projects/new/")
    for box in page.page.locator("input[name=districts]").all():
        label = box.locator("xpath=..")
        box_at, label_at = box.bounding_box(), label.bounding_box()
        # the box is on the line of its name, at its left, and the name is not on a line of its own
        assert abs((box_at["y"] + box_at["height"] / 2) - (label_at["y"] + label_at["height"] / 2)) < 4
        assert label_at["width"] > box_at["width"] + 20 and label_at["height"] < 60
    page.page.fill("#id_year", "1999")
    page.page.fill("#id_title", "")
    page.page.fill("#id_contact", "王五")
    # the browser's own checks (required, min) would stop the post: the portal's must answer it
    page.page.evaluate("document.querySelectorAll('[required],[min],[max]').forEach(e => "
                       "['required', 'min', 'max'].forEach(a => e.removeAttribute(a)))")
    page.submit("main form button[type=submit]")
    summary = page.page.locator(".error-summary")
    assert "有 3 处需要修改" in summary.inner_text()  # year, lead society, title
    assert page.page.input_value("#id_contact") == "王五"
    summary.locator("a[href='#id_title']").click()
    assert page.page.url.endswith("#id_title")
