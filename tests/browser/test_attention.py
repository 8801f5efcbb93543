"""The daily message, 催办 and 延期 in Chromium: the secretariat at a desk, the society contact on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def _overdue_projects(count: int) -> list:
    from societies.models import Society
    from tests import factories

    today = timezone.localdate()
    own = Society.objects.get(name="市老科协")
    return [factories.project(society=own, title="逾期项目{}".format(n), year=today.year, due_text="上月",
                              due_start=today - timedelta(days=40), due_end=today - timedelta(days=10))
            for n in range(count)]


def test_secretariat_reminds_ticked_projects_once_a_day(open_page, demo):
    from projects.models import Notification, Urge

    projects = _overdue_projects(3)
    page = open_page()
    page.login("secretariat", demo)
    page.goto("/projects/reminders/digest/")
    main = page.page.inner_text("main")
    assert all(main.count(project.title) == 1 for project in projects)  # each project once
    for project in projects[:2]:
        page.page.check("input[name=project][value='{}']".format(project.pk))
    page.page.fill("#urge-form-note", "请本周内报送进展")
    page.submit("#urge-form button[type=submit]")
    assert "已催办2个项目" in page.page.inner_text("main")
    [message] = Notification.objects.filter(kind="urge", recipient__username="society")
    assert message.title == "催办：2个项目" and "请本周内报送进展" in message.body
    page.goto(projects[0].get_absolute_url())
    page.submit("text=催办：立即提醒学会")
    assert "今天已催办过" in page.page.inner_text("main")
    assert "点击了 催办" in page.page.inner_text("main")
    assert Urge.objects.count() == 2


def test_society_contact_reads_one_daily_message_and_delays_a_project_on_a_phone(open_page, demo, settings,
                                                                                  live_server):
    from projects.reminders import send_reminders

    settings.SITE_URL = live_server.url  # the messages' links are absolute (they are e-mailed too)

    projects = _overdue_projects(5)
    send_reminders(today=timezone.localdate())
    page = open_page(viewport=PHONE, allow_statuses=(400,))  # the refused delay answers 400 with the form
    page.login("society", demo)
    page.goto("/projects/notifications/")
    items = page.page.locator("li.notification")
    assert items.count() == 1  # one message listing the five projects
    assert all(project.title in items.inner_text() for project in projects)
    with page.page.expect_navigation():
        page.page.click("li.notification a[href$='{}']".format(projects[0].get_absolute_url()))
    page.check_page()
    page.page.select_option("select[name=status]", "delayed")
    page.submit("text=保存状态")
    assert "选择“延期”时，请填写延期原因和新的完成日期。" in page.page.inner_text("main")
    new_date = timezone.localdate() + timedelta(days=20)
    page.page.fill("textarea[name=delay_reason]", "场地未落实")
    page.page.fill("input[name=delayed_to]", new_date.isoformat())
    page.submit("text=保存状态")
    assert "延期至 {}".format(new_date.isoformat()) in page.page.inner_text("main")
