"""The review queue (待确认) calls for attention: a count badge for the secretariat, batch confirmation, evidence
inline, rejection with a reason sent back to the submitter who corrects and resubmits; a contact's “已取消” is a
request; progress updates can be corrected for 24 hours; districts are told of a new link — through the HTTP
client and the real database."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import OwnActivity
from projects.choices import ProjectStatus, ReviewStatus
from projects.models import ActivityOutcome, Notification, ProgressUpdate, Project
from reports.models import OrganisationRecord
from societies.choices import Role
from tests import factories

from .test_outcomes import outcome_data
from .test_pages import project_fields
from .test_updates import PNG

pytestmark = pytest.mark.django_db


def pending_outcome(world, *, title="科普进社区", user=None, **fields):
    return ActivityOutcome.objects.create(project=world["a"], held_on=timezone.localdate(), title=title,
                                          entered_by=user or world["society1"], **fields)


def pending_record(world, *, title="新会员"):
    return OrganisationRecord.objects.create(kind="member_intake", happened_on=timezone.localdate(), title=title,
                                             society=world["a"].society, count=5, entered_by=world["society1"])


def pending_activity(world, *, title="自主科普"):
    return OwnActivity.objects.create(title=title, held_on=timezone.localdate(), district=world["a"].district_list[0],
                                      participants=30, entered_by=world["district1"])


def badge(html: str) -> int | None:
    found = re.search(r'待确认 <span class="nav-count"[^>]*>(\d+)</span>', html)
    return int(found.group(1)) if found else None


# --- the badge ---------------------------------------------------------------------------------------------------
def test_badge_counts_what_waits_in_one_query_whatever_its_number(client, world):
    client.force_login(world["secretariat"])
    url = reverse("projects:notifications")
    assert badge(client.get(url).content.decode()) is None
    pending_outcome(world)
    pending_record(world)
    pending_activity(world)
    pending_outcome(world, title="已确认", review=ReviewStatus.CONFIRMED)
    assert badge(client.get(url).content.decode()) == 3


    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(20):
        pending_outcome(world, title="活动{}".format(number))
        pending_record(world, title="记录{}".format(number))
    Project.objects.filter(pk=world["b"].pk).update(cancel_requested_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert badge(html) == 44 and len(many) == len(few)
    assert sum("pending" in query["sql"] for query in many.captured_queries) == 1


def test_badge_is_the_secretariats_only(client, world):
    pending_outcome(world)
    for who in ("leader", "society1", "district1"):
        client.force_login(world[who])
        assert badge(client.get(reverse("projects:notifications")).content.decode()) is None


def test_queue_query_count_does_not_grow_with_the_queue(client, world):
    client.force_login(world["secretariat"])

    def add(number):
        outcome = pending_outcome(world, title="更多{}".format(number))
        outcome.evidence.create(project=world["a"], file="attachments/x{}.png".format(number),
                                original_name="现场{}.png".format(number), content_type="image/png", size=10)
        pending_record(world, title="记录{}".format(number))
        pending_activity(world, title="自主{}".format(number))

    add(0)
    Project.objects.filter(pk=world["b"].pk).update(cancel_requested_at=timezone.now())

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("reports:review_queue")).status_code == 200
    for number in range(1, 15):
        add(number)
    Project.objects.filter(pk=world["a"].pk).update(cancel_requested_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("reports:review_queue")).content.decode()
    assert len(many) == len(few)
    assert "现场14.png" in html and "记录14" in html and "自主14" in html


# --- batch confirmation and evidence inline ------------------------------------------------------------------------
def test_batch_confirm_round_trip_with_evidence_inline(client, world):
    client.force_login(world["society1"])
    data = outcome_data(title="带照片的活动", files=[SimpleUploadedFile("现场.png", PNG),
                                                     SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%%EOF\n")])
    assert client.post(reverse("projects:outcome_create", args=[world["a"].pk]), data).status_code == 302
    outcome = ActivityOutcome.objects.get(title="带照片的活动")
    record, activity, other = pending_record(world), pending_activity(world), pending_outcome(world, title="不勾选")
    client.force_login(world["secretariat"])
    html = client.get(reverse("reports:review_queue")).content.decode()
    photo = outcome.evidence.get(original_name="现场.png")
    assert 'src="{}"'.format(reverse("projects:attachment", args=[photo.pk])) in html and "方案.pdf" in html
    assert client.get(reverse("projects:attachment", args=[photo.pk])).status_code == 200
    response = client.post(reverse("reports:review_batch"), {
        "item": ["outcome:{}".format(outcome.pk), "record:{}".format(record.pk), "activity:{}".format(activity.pk)]})
    assert response.status_code == 302
    for item in (outcome, record, activity):
        item.refresh_from_db()
        assert (item.review, item.reviewed_by) == (ReviewStatus.CONFIRMED, world["secretariat"])
    other.refresh_from_db()
    assert other.review == ReviewStatus.PENDING
    assert "已确认 3 条。" in client.get(reverse("reports:review_queue")).content.decode()
    assert outcome.history.first().history_user == world["secretariat"]


@pytest.mark.parametrize("items", [[], ["outcome:abc"], ["planet:1"], ["outcome:1:2"]])
def test_batch_confirm_bad_input_is_refused_in_chinese(client, world, items):
    waiting = pending_outcome(world)
    client.force_login(world["secretariat"])
    response = client.post(reverse("reports:review_batch"), {"item": items})
    assert response.status_code == 400
    assert "请先勾选要确认的条目。" in response.content.decode() or "只能勾选列出的条目。" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.review == ReviewStatus.PENDING


def test_batch_confirm_and_review_are_404_for_others(client, world):
    waiting = pending_outcome(world)
    for who in ("leader", "society1", "district1", "society2"):
        client.force_login(world[who])
        batch = client.post(reverse("reports:review_batch"), {"item": ["outcome:{}".format(waiting.pk)]})
        assert batch.status_code == 404
        assert client.post(reverse("reports:review", args=["outcome", waiting.pk]), {
            "decision": "reject", "reason": "x"}).status_code == 404
        assert client.post(reverse("projects:cancel_decide", args=[world["a"].pk]), {
            "decision": "approve"}).status_code == 404
    waiting.refresh_from_db()
    assert waiting.review == ReviewStatus.PENDING


# --- rejection with a reason, correction, resubmission ------------------------------------------------------------
def test_reject_with_reason_notifies_the_submitter_who_corrects_and_resubmits(client, world, mailoutbox):
    world["society1"].email = "s1@example.org"
    world["society1"].save()
    client.force_login(world["society1"])
    client.post(reverse("projects:outcome_create", args=[world["a"].pk]), outcome_data(participants="12000000"))
    client.post(reverse("projects:outcome_create", args=[world["a"].pk]), outcome_data(participants="1200"))
    outcome = ActivityOutcome.objects.get()
    client.force_login(world["secretariat"])
    response = client.post(reverse("reports:review", args=["outcome", outcome.pk]), {
        "decision": "reject", "reason": "参加人数应为120", "next": reverse("reports:review_queue")})
    assert response.status_code == 302 and response["Location"] == reverse("reports:review_queue")
    outcome.refresh_from_db()
    assert (outcome.review, outcome.review_note) == (ReviewStatus.REJECTED, "参加人数应为120")
    [told] = Notification.objects.filter(kind="review_rejected")
    assert told.recipient == world["society1"] and told.email == "s1@example.org"
    assert told.title == "已退回：科普进社区" and "参加人数应为120" in told.body
    assert told.url == outcome.get_absolute_url()
    # the submitter sees the reason on the row and corrects it: it waits again
    client.force_login(world["society1"])
    assert "参加人数应为120" in client.get(world["a"].get_absolute_url()).content.decode()
    page = client.get(reverse("projects:outcome_edit", args=[outcome.pk]))
    assert page.status_code == 200 and "参加人数应为120" in page.content.decode()
    assert client.post(reverse("projects:outcome_edit", args=[outcome.pk]),
                       outcome_data(participants="120")).status_code == 302
    outcome.refresh_from_db()
    assert (outcome.review, outcome.participants, outcome.reviewed_by) == (ReviewStatus.PENDING, 120, None)
    client.force_login(world["secretariat"])
    assert "参加人数应为120" in client.get(reverse("reports:review_queue")).content.decode()  # rejected before
    client.post(reverse("reports:review_batch"), {"item": ["outcome:{}".format(outcome.pk)]})
    outcome.refresh_from_db()
    assert outcome.review == ReviewStatus.CONFIRMED
    # once confirmed, the submitter can no longer change it; an outsider never
    client.force_login(world["society1"])
    assert client.get(reverse("projects:outcome_edit", args=[outcome.pk])).status_code == 404
    client.force_login(world["society2"])
    assert client.get(reverse("projects:outcome_edit", args=[outcome.pk])).status_code == 404


def test_rejected_record_is_corrected_and_resubmitted(client, world):
    record = pending_record(world)
    client.force_login(world["secretariat"])
    client.post(reverse("reports:review", args=["record", record.pk]), {"decision": "reject", "reason": "缺少文件"})
    client.force_login(world["society1"])
    assert "缺少文件" in client.get(reverse("reports:records")).content.decode()
    response = client.post(reverse("reports:record_edit", args=[record.pk]), {
        "kind": "member_intake", "happened_on": timezone.localdate().isoformat(), "title": "新会员",
        "society": world["a"].society.pk, "count": "5", "document": "枣科协发〔2024〕1号"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.review, record.document) == (ReviewStatus.PENDING, "枣科协发〔2024〕1号")
    client.force_login(world["society2"])
    assert client.get(reverse("reports:record_edit", args=[record.pk])).status_code == 404


def test_rejected_own_activity_tells_its_district_contact(client, world):
    activity = pending_activity(world)
    client.force_login(world["secretariat"])
    client.post(reverse("reports:review", args=["activity", activity.pk]), {"decision": "reject", "reason": "照片不清"})
    assert Notification.objects.get(kind="review_rejected").recipient == world["district1"]
    client.force_login(world["district1"])
    assert "照片不清" in client.get(activity.get_absolute_url()).content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_rejection_without_a_reason_is_refused_in_chinese(client, world, reason):
    waiting = pending_outcome(world)
    client.force_login(world["secretariat"])
    response = client.post(reverse("reports:review", args=["outcome", waiting.pk]), {
        "decision": "reject", "reason": reason})
    assert response.status_code == 400 and "请填写退回原因" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.review == ReviewStatus.PENDING and not Notification.objects.exists()


# --- 已取消 is a request -------------------------------------------------------------------------------------------
def ask_to_cancel(client, world, reason="经费未落实"):
    client.force_login(world["society1"])
    response = client.post(reverse("projects:status", args=[world["a"].pk]), {
        "status": "cancelled", "cancel_reason": reason})
    assert response.status_code == 302
    return Project.objects.get(pk=world["a"].pk)


def test_cancel_by_a_contact_waits_and_the_secretariat_approves(client, world):
    project = ask_to_cancel(client, world)
    assert (project.status, project.cancel_requested_by, project.cancel_reason) == (
        ProjectStatus.PLANNED, world["society1"], "经费未落实")
    [asked] = Notification.objects.filter(kind="cancel_requested")
    assert asked.recipient == world["secretariat"] and "经费未落实" in asked.body
    html = client.get(project.get_absolute_url()).content.decode()
    assert "申请取消" in html and "经费未落实" in html
    client.force_login(world["secretariat"])
    assert "经费未落实" in client.get(reverse("reports:review_queue")).content.decode()
    assert client.post(reverse("projects:cancel_decide", args=[project.pk]), {"decision": "approve"}).status_code == 302
    project.refresh_from_db()
    assert (project.status, project.cancel_requested_at) == (ProjectStatus.CANCELLED, None)
    [decided] = Notification.objects.filter(kind="cancel_decided")
    assert decided.recipient == world["society1"] and decided.title == "已同意取消：项目A"
    history = client.get(project.get_absolute_url()).content.decode()
    assert "同意取消" in history and "已取消" in history


def test_cancel_refused_with_a_reason_keeps_the_status(client, world):
    project = ask_to_cancel(client, world)
    client.force_login(world["secretariat"])
    response = client.post(reverse("projects:cancel_decide", args=[project.pk]), {"decision": "refuse", "reason": ""})
    assert response.status_code == 400 and "请填写不同意取消的原因。" in response.content.decode()
    response = client.post(reverse("projects:cancel_decide", args=[project.pk]), {
        "decision": "refuse", "reason": "请继续推进", "next": reverse("reports:review_queue")})
    assert response.status_code == 302 and response["Location"] == reverse("reports:review_queue")
    project.refresh_from_db()
    assert (project.status, project.cancel_requested_at) == (ProjectStatus.PLANNED, None)
    [decided] = Notification.objects.filter(kind="cancel_decided")
    assert decided.recipient == world["society1"] and "请继续推进" in decided.body
    assert "不同意取消：请继续推进" in client.get(project.get_absolute_url()).content.decode()
    response = client.post(reverse("projects:cancel_decide", args=[project.pk]), {"decision": "approve"})
    assert response.status_code == 400 and "没有等待处理的取消申请" in response.content.decode()


# --- 24 hours to correct a progress update --------------------------------------------------------------------------
def posted(client, world, text="完成首场活动"):
    client.force_login(world["society1"])
    client.post(reverse("projects:update_post", args=[world["a"].pk]), {
        "happened_on": timezone.localdate().isoformat(), "text": text, "link": ""})
    return ProgressUpdate.objects.get(text=text)


def test_author_edits_and_deletes_an_update_within_24_hours_with_history(client, world):
    update = posted(client, world)
    page = client.get(world["a"].get_absolute_url()).content.decode()
    assert reverse("projects:update_edit", args=[update.pk]) in page
    response = client.post(reverse("projects:update_edit", args=[update.pk]), {
        "happened_on": timezone.localdate().isoformat(), "text": "完成第二场活动", "link": ""})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.text == "完成第二场活动"
    assert [record.text for record in update.history.order_by("history_date")] == ["完成首场活动", "完成第二场活动"]
    # a colleague of the same society sees the update but cannot change it: no buttons, 403
    client.force_login(world["society1_colleague"])
    page = client.get(world["a"].get_absolute_url()).content.decode()
    assert reverse("projects:update_edit", args=[update.pk]) not in page
    assert client.post(reverse("projects:update_delete", args=[update.pk])).status_code == 403
    client.force_login(world["society1"])
    assert client.post(reverse("projects:update_delete", args=[update.pk])).status_code == 302
    assert not ProgressUpdate.objects.filter(pk=update.pk).exists()
    assert ProgressUpdate.history.filter(id=update.pk, history_type="-").get().text == "完成第二场活动"


def test_after_24_hours_an_update_is_fixed(client, world):
    update = posted(client, world)
    ProgressUpdate.objects.filter(pk=update.pk).update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    page = client.get(world["a"].get_absolute_url()).content.decode()
    assert reverse("projects:update_edit", args=[update.pk]) not in page
    response = client.post(reverse("projects:update_edit", args=[update.pk]), {
        "happened_on": timezone.localdate().isoformat(), "text": "改不了", "link": ""})
    assert response.status_code == 403 and "24小时" in response.content.decode()
    response = client.post(reverse("projects:update_delete", args=[update.pk]))
    assert response.status_code == 403 and "24小时" in response.content.decode()
    update.refresh_from_db()
    assert update.text == "完成首场活动"


def test_outsider_gets_404_on_update_corrections(client, world):
    update = posted(client, world)
    client.force_login(world["society2"])
    assert client.get(reverse("projects:update_edit", args=[update.pk])).status_code == 404
    assert client.post(reverse("projects:update_delete", args=[update.pk])).status_code == 404
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


# --- districts told of a new link ------------------------------------------------------------------------------------
def test_district_contacts_are_told_once_per_link(client, world):
    d2 = world["b"].district_list[0]
    district2 = factories.user(Role.DISTRICT, district=d2)
    client.force_login(world["secretariat"])
    client.post(reverse("projects:create"), project_fields(world, title="联动项目"))
    project = Project.objects.get(title="联动项目")
    told = Notification.objects.filter(kind="project_linked")
    assert [(n.recipient, n.url) for n in told] == [(world["district1"], project.get_absolute_url())]
    assert told.get().title == "项目关联到滕州市科协：联动项目"
    edit = reverse("projects:edit", args=[project.pk])
    both = project_fields(world, title="联动项目", districts=[str(world["a"].district_list[0].pk), str(d2.pk)])
    assert client.post(edit, both).status_code == 302
    assert sorted(n.recipient.pk for n in told.all()) == sorted([world["district1"].pk, district2.pk])
    client.post(edit, dict(both, remarks="只改备注"))
    client.post(edit, project_fields(world, title="联动项目", districts=[str(d2.pk)]))
    client.post(edit, both)  # linked again: told before, not again
    assert told.all().count() == 2


# --- the secretariat's daily message ----------------------------------------------------------------------------------
@pytest.fixture
def no_digest_today():
    """The weekly digest on another weekday than the days these tests run on."""
    from projects.models import ReminderPolicy
    from projects.reminders import local_today

    policy = ReminderPolicy.current()
    policy.digest_weekday = (local_today().weekday() + 3) % 7
    policy.save()


def test_daily_message_of_the_secretariat_lists_what_waits_once_a_day(world, no_digest_today):
    from projects.reminders import local_today, send_reminders

    pending_outcome(world)
    pending_record(world)
    Project.objects.update(status=ProjectStatus.DONE)  # nothing else to remind of: the section alone
    today = local_today()
    send_reminders(today=today)
    [message] = Notification.objects.filter(recipient=world["secretariat"])
    assert message.title == "待确认 2 条" and message.url == reverse("reports:review_queue")
    assert reverse("reports:review_queue") in message.body
    assert not Notification.objects.filter(recipient=world["society1"], kind="review_pending").exists()
    send_reminders(today=today)
    assert Notification.objects.filter(recipient=world["secretariat"]).count() == 1
    send_reminders(today=today + timedelta(days=1))  # the next day: again (not the digest's day either)
    assert Notification.objects.filter(recipient=world["secretariat"], title="待确认 2 条").count() == 2


def test_daily_message_leaves_the_section_out_when_nothing_waits(world, no_digest_today):
    from projects.reminders import local_today, send_reminders

    pending_outcome(world, review=ReviewStatus.CONFIRMED)
    Project.objects.update(status=ProjectStatus.DONE)
    send_reminders(today=local_today())
    assert not Notification.objects.filter(recipient=world["secretariat"]).exists()


def test_daily_message_puts_the_section_beside_the_overdue_projects(world, no_digest_today):
    from projects.reminders import local_today, send_reminders

    pending_outcome(world)
    send_reminders(today=local_today())  # projects A and B are long overdue: escalated to the secretariat
    [message] = Notification.objects.filter(recipient=world["secretariat"])
    assert "【待确认】(1)" in message.body and "项目A" in message.body
    assert message.body.index("【待确认】") > message.body.index("项目A")
