"""The phone and the desk menu in Chromium: the header's entries in groups (项目 / 组织 / 活动与需求 / 报告 / 系统) that
open by a click or the keyboard, role-aware; on a 390 px phone the groups inside the 菜单 disclosure, the data tables
as cards (each value under its column's name), tap targets of 44 px, and the page-width guard itself."""

import re

import pytest
from django.utils import timezone

from tests.browser.conftest import DESK, PHONE

pytestmark = pytest.mark.browser

GROUPS = ["项目", "组织", "活动与需求", "报告", "系统"]


def summaries(page) -> list[str]:
    return [text.strip().rstrip("▾▴").strip() for text in page.page.locator("details.nav-group > summary").all_inner_texts()]


def test_desk_menu_groups_its_entries_and_opens_them_by_click_and_by_keyboard(open_page, demo):
    page = open_page(viewport=DESK)
    page.login("secretariat", demo)
    page.goto("/projects/")
    assert summaries(page) == GROUPS
    assert page.page.locator("nav.main-nav > a.nav-top").inner_text() == "工作总览"
    accounts = page.page.locator("#nav-system a", has_text="账号管理")
    assert not accounts.is_visible()  # closed groups show only their names: one short row
    header = page.page.locator(".site-header").bounding_box()
    assert header["height"] < 80
    page.page.click("#nav-system > summary")
    assert accounts.is_visible() and accounts.bounding_box()["height"] >= 44
    page.page.click("#nav-projects > summary")  # opening another group closes this one (static/js/menu.js)
    assert not accounts.is_visible()
    assert page.page.locator("#nav-projects a", has_text="项目清单").is_visible()
    page.page.keyboard.press("Escape")
    assert not page.page.locator("#nav-projects a", has_text="项目清单").is_visible()
    # by keyboard alone: focus the group's name, Enter opens it, Tab reaches its first entry, Enter follows it
    page.page.focus("#nav-activities > summary")
    page.page.keyboard.press("Enter")
    needs = page.page.locator("#nav-activities a", has_text="需求台账")
    assert needs.is_visible()
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("document.activeElement.textContent.trim()") == "需求台账"
    with page.page.expect_navigation():
        page.page.keyboard.press("Enter")
    page.check_page()
    assert page.page.url.endswith("/needs/")

    contact = open_page(viewport=DESK)
    contact.login("society", demo)
    contact.goto("/projects/mine/")
    assert summaries(contact) == ["项目", "组织", "活动与需求", "报告"]  # no 系统 for a society's contact
    assert [text.strip() for text in contact.page.locator("#nav-organisations a").all_text_contents()] == ["本学会"]
    assert contact.page.locator("#nav-reports a", has_text="待确认").count() == 0


def test_phone_menu_opens_a_group_and_the_tables_are_cards(open_page, demo):
    from django.contrib.auth.models import User

    from projects.models import ActivityOutcome
    from societies.models import Society
    from tests import factories

    today = timezone.localdate()
    own = Society.objects.get(name="市老科协")
    project = factories.project(society=own, title="老专家进社区开展健康讲座的一个很长很长的项目名称", year=today.year,
                                contact="王老师 13800000000")
    ActivityOutcome.objects.create(project=project, held_on=today, title="健康讲座", participants=80,
                                   entered_by=User.objects.get(username="society"))

    page = open_page(viewport=PHONE)
    page.login("society", demo)
    page.goto("/projects/mine/")
    page.page.click("details.nav-menu > summary")
    assert summaries(page) == ["项目", "组织", "活动与需求", "报告"]
    for summary in page.page.locator("details.nav-group > summary").all():
        assert summary.bounding_box()["height"] >= 44
    link = page.page.locator("#nav-projects a", has_text="项目清单")
    assert not link.is_visible()
    page.page.click("#nav-projects > summary")
    assert link.is_visible() and link.bounding_box()["height"] >= 44
    page.submit("#nav-projects a >> text=项目清单")
    assert page.page.url.endswith("/projects/")

    # the list: one card per project, each value under its column's name; the header row is not shown
    assert page.page.locator("table.stack thead").bounding_box()["height"] <= 1  # kept for screen readers only
    row = page.page.locator("table.stack tbody tr").first
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert row.locator("td").nth(0).bounding_box()["y"] < row.locator("td").nth(1).bounding_box()["y"]  # stacked
    headings = [text.strip() for text in page.page.locator("table.stack thead th").all_text_contents()]
    labels = row.locator("td").evaluate_all("cells => cells.map(cell => getComputedStyle(cell, '::before').content)")
    assert labels == ['"{}"'.format(heading) for heading in headings]  # each value named as on the desk
    assert "很长很长的项目名称" in row.locator("td").nth(headings.index("项目名称")).inner_text()
    for button in page.page.locator("main .button").all():
        if button.is_visible():
            assert button.bounding_box()["height"] >= 44, button.inner_text()

    page.submit("table.stack a >> text=很长很长的项目名称")
    outcome = page.page.locator("table.stack tbody tr", has_text="健康讲座")
    assert "80" in outcome.inner_text() and outcome.locator("td[data-label]").count() == 6
    assert outcome.bounding_box()["width"] <= PHONE["width"]

    desk = open_page(viewport=DESK)  # on the desk the same list is a table with its header row
    desk.login("society", demo)
    desk.goto("/projects/")
    assert desk.page.locator("table.stack thead").is_visible()
    assert desk.page.locator("table.stack tbody tr").first.evaluate("row => getComputedStyle(row).display") == "table-row"


def test_the_width_guard_catches_a_page_wider_than_the_phone(open_page, demo):
    page = open_page(viewport=PHONE)
    page.login("society", demo)
    # a page made too wide before it loads is reported by the load hook, whatever led to it
    page.page.add_init_script("document.addEventListener('DOMContentLoaded', () => {"
                              " const wide = document.createElement('div'); wide.className = 'too-wide';"
                              " wide.style.width = '900px'; wide.style.height = '1px'; document.body.append(wide); })")
    page.page.goto(page.url("/projects/"))
    page.page.wait_for_load_state("load")
    page.check_width()
    caught, page.problems = page.problems, []
    assert len(caught) == 2  # once from the load hook, once from the explicit check
    assert all("sideways scrolling on" in problem and "/projects/" in problem for problem in caught)
    page.page.evaluate("document.querySelector('.too-wide').remove()")
    page.check_width()
    assert page.problems == []


SKIP_LINK = re.compile(r"^/admin/|export|download|\.(xlsx|ics|docx|pdf|csv)|/feed|/files?/|/attachments?/|logout|[?#]")


@pytest.mark.parametrize("username", ["secretariat", "leader", "society", "district"])
def test_every_page_of_the_menu_and_its_first_links_fit_a_phone(open_page, demo, username):
    """Each role on a 390 px phone follows every entry of its menu over demo data, and from each of those pages the
    first few links of its content (a project, a record, a form …): the guard of conftest checks each page is as wide
    as the viewport; the header's tap targets are 44 px high with every group open."""
    from reports.demo import seed_demo

    seed_demo(projects=48, seed=7, password=demo)
    page = open_page(viewport=PHONE)
    page.login(username, demo)
    page.goto("/")
    menu = page.page.locator("nav.main-nav a").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert len(menu) >= 5
    seen = set()
    for href in menu:
        if SKIP_LINK.search(href):
            continue  # Django's own back office has no portal header
        page.goto(href)
        seen.add(href)
        page.page.click("details.nav-menu > summary")
        for group in page.page.locator("details.nav-group > summary").all():
            group.click()
        for link in page.page.locator("nav.main-nav a").all():
            assert link.bounding_box()["height"] >= 44, (href, link.inner_text())
        page.check_width()  # with every group open
        inner = page.page.locator("main a[href^='/']").evaluate_all("links => links.map(link => link.getAttribute('href'))")
        for target in [link for link in dict.fromkeys(inner) if not SKIP_LINK.search(link) and link not in seen][:3]:
            seen.add(target)
            page.goto(target)
    assert len(seen) > len(menu)


def test_menu_groups_open_without_javascript(chromium, live_server, demo):
    """With scripts off, the 菜单 disclosure and the groups still open and close (they are <details>)."""
    for viewport in (DESK, PHONE):
        context = chromium.new_context(viewport=viewport, locale="zh-CN", java_script_enabled=False)
        try:
            page = context.new_page()
            page.goto(live_server.url + "/accounts/login/")
            page.fill("#id_username", "leader")
            page.fill("#id_password", demo)
            with page.expect_navigation():
                page.click("main button[type=submit]")
            if viewport is PHONE:
                page.click("details.nav-menu > summary")
            reports = page.locator("#nav-reports a", has_text="半年报告")
            assert not reports.is_visible()
            page.click("#nav-reports > summary")
            assert reports.is_visible()
            page.click("#nav-reports > summary")
            assert not reports.is_visible()
            page.click("#nav-reports > summary")
            with page.expect_navigation():
                reports.click()
            assert page.url.endswith("/reports/half-year/")
        finally:
            context.close()
