"""Paper and the phone in Chromium: the header menu a "菜单" disclosure at 390 px (no sideways scroll) and always
open on the desk; the A4 pages under print media (menu hidden, date printed, a new page per society); the 台账
download opened with openpyxl."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from tests.browser.conftest import DESK, PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def two_societies(demo):
    from societies.models import Society
    from tests import factories

    year = timezone.localdate().year
    own = Society.objects.get(name="市老科协")
    other = Society.objects.exclude(pk=own.pk).order_by("name").first() or factories.society("市医学会")
    for society in (own, other):
        for number in range(3):
            factories.project(society=society, title="{}的项目{}".format(society.name, number), year=year,
                              due_end=timezone.localdate() + timedelta(days=number * 30 - 10))
    return {"own": own, "other": other, "year": year}


def test_header_menu_is_a_disclosure_on_a_phone_and_open_on_the_desk(open_page, demo):
    page = open_page(viewport=PHONE)
    page.login("leader", demo)
    page.goto("/projects/")
    summary = page.page.locator("details.nav-menu > summary")
    dashboard_link = page.page.locator("nav.main-nav a").first
    assert summary.is_visible() and summary.inner_text().strip().startswith("菜单")
    assert summary.bounding_box()["height"] >= 44
    assert not dashboard_link.is_visible()
    assert page.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    summary.click()
    assert dashboard_link.is_visible() and dashboard_link.bounding_box()["height"] >= 44
    assert page.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    desk = open_page(viewport=DESK)
    desk.login("leader", demo)
    desk.goto("/projects/")
    assert not desk.page.locator("details.nav-menu > summary").is_visible()
    assert desk.page.locator("nav.main-nav a").first.is_visible()


def pdf_pages(page) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4")))


def test_list_and_one_page_summary_print_on_a4_without_the_menu(open_page, demo, two_societies):
    page = open_page(viewport=DESK)
    page.login("secretariat", demo)
    page.goto("/projects/?year={}".format(two_societies["year"]))
    page.page.emulate_media(media="print")
    assert not page.page.locator(".site-header").is_visible()
    assert not page.page.locator(".site-footer").is_visible()
    assert not page.page.locator("form.filters").is_visible()
    assert page.page.locator(".print-date").is_visible()
    assert timezone.localdate().isoformat() in page.page.inner_text(".print-date")
    assert pdf_pages(page.page) == 2  # one page per society
    page.page.emulate_media(media="screen")
    page.goto("/organisations/societies/{}/".format(two_societies["own"].pk))
    page.submit("main a >> text=一页纸")
    assert "一页纸" in page.page.inner_text("h1")
    page.page.emulate_media(media="print")
    assert not page.page.locator("[data-print]").is_visible()
    assert page.page.locator("#summary-projects tbody tr").count() == 3
    assert pdf_pages(page.page) == 1


def test_ledger_download_opens_with_openpyxl_and_holds_the_filtered_list(open_page, demo, two_societies):
    page = open_page(viewport=PHONE)
    page.login("secretariat", demo)
    page.goto("/projects/?society={}".format(two_societies["own"].pk))
    with page.page.expect_download() as download:
        page.page.click("text=导出台账")
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == "项目名称"
    assert [row[3] for row in rows[1:]] == ["市老科协的项目{}".format(n) for n in range(3)]
    assert rows[1][6] == 10 and rows[2][6] is None
