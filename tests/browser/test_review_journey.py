"""The review queue in Chromium: the secretariat at a desk sees the 待确认 count, confirms two ticked entries at once,
refuses to reject without a reason and rejects one with it; the society contact on a phone reads the reason,
corrects the outcome and so submits it again."""

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def test_secretariat_confirms_in_a_batch_and_rejects_with_a_reason_the_contact_resubmits(open_page, demo):
    from django.contrib.auth.models import User

    from projects.choices import ReviewStatus
    from projects.models import ActivityOutcome
    from reports.models import OrganisationRecord
    from societies.models import Society
    from tests import factories

    today = timezone.localdate()
    own = Society.objects.get(name="市老科协")
    contact = User.objects.get(username="society")
    project = factories.project(society=own, title="科普进社区项目", year=today.year)
    first, second, wrong = (ActivityOutcome.objects.create(project=project, held_on=today, title=title, participants=n,
                                                           entered_by=contact)
                            for title, n in (("科普讲座", 80), ("专家义诊", 60), ("人数有误的活动", 9000)))
    record = OrganisationRecord.objects.create(kind="member_intake", happened_on=today, title="新会员", count=30,
                                               society=own, entered_by=contact)

    desk = open_page(allow_statuses=(400,))  # the rejection without a reason answers 400
    desk.login("secretariat", demo)
    desk.goto("/reports/review/")
    assert desk.page.inner_text("#nav-reports > summary .nav-count") == "4"  # on the 报告 group
    desk.page.check("input[name=item][value='outcome:{}']".format(first.pk))
    desk.page.check("input[name=item][value='record:{}']".format(record.pk))
    desk.submit("#batch-confirm button[type=submit]")
    assert "已确认 2 条" in desk.page.inner_text("main")
    assert desk.page.inner_text("#nav-reports > summary .nav-count") == "2"
    row = desk.page.locator("li.card", has_text="人数有误的活动")
    with desk.page.expect_navigation():
        row.locator("button[value=reject]").click()
    assert "请填写退回原因" in desk.page.inner_text("main")
    desk.goto("/reports/review/")
    row = desk.page.locator("li.card", has_text="人数有误的活动")
    row.locator("input[name=reason]").fill("参加人数应为90")
    with desk.page.expect_navigation():
        row.locator("button[value=reject]").click()
    assert "已退回" in desk.page.inner_text("main")
    for item in (first, second, wrong, record):
        item.refresh_from_db()
    assert (first.review, record.review, second.review, wrong.review) == (
        ReviewStatus.CONFIRMED, ReviewStatus.CONFIRMED, ReviewStatus.PENDING, ReviewStatus.REJECTED)

    phone = open_page(viewport=PHONE)
    phone.login("society", demo)
    phone.goto("/projects/notifications/")
    assert "已退回：人数有误的活动" in phone.page.inner_text("main")
    phone.goto(wrong.get_absolute_url())
    assert "参加人数应为90" in phone.page.inner_text("main")
    phone.submit("text=修改后重新提交")
    phone.page.fill("#id_participants", "90")
    phone.submit("main button[type=submit]")
    assert "重新等待学会部确认" in phone.page.inner_text("main")
    wrong.refresh_from_db()
    assert (wrong.review, wrong.participants) == (ReviewStatus.PENDING, 90)
