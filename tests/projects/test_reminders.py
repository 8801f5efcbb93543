"""The daily reminder run, its ledger and its channels, through the real database (no worker: see
test_reminder_worker.py for that)."""

import json
import subprocess
import sys
import threading
from datetime import date, datetime, time, timezone as dt_timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from projects.choices import DeliveryState, ProjectStatus, ReminderKind
from projects.models import Notification, ReminderLedger, ReminderPolicy, ReminderRun, WebhookDelivery
from projects.notifications import deliver_notification_email, deliver_webhook, notify
from projects.reminders import (
    DAILY_TASK,
    catch_up_reminders,
    send_reminders,
    sync_reminder_schedule,
    unreachable,
    update_reminder_policy,
)
from tests import factories

from .conftest import ROOT, reminded_project

pytestmark = pytest.mark.django_db
DUE = date(2024, 5, 31)


def sent(today: date) -> dict:
    return send_reminders(today=today)


def new_rows(today: date) -> list[tuple[str, str]]:
    """(kind, recipient) of the items (ledger rows) one run sends: a person's daily message may list several."""
    before = set(ReminderLedger.objects.values_list("pk", flat=True))
    send_reminders(today=today)
    names = {"user:{}".format(pk): name for pk, name in User.objects.values_list("pk", "username")}
    rows = ReminderLedger.objects.exclude(pk__in=before).filter(webhook__isnull=True)
    return sorted((e.kind, names.get(e.recipient_key, e.recipient_key.removeprefix("email:"))) for e in rows)


def new_messages(today: date) -> list[tuple[str, str]]:
    """(kind, recipient) of the notifications (messages) one run creates."""
    before = set(Notification.objects.values_list("pk", flat=True))
    send_reminders(today=today)
    rows = Notification.objects.exclude(pk__in=before).select_related("recipient")
    return sorted((n.kind, n.recipient.username if n.recipient else n.email) for n in rows)


def test_reminders_follow_the_policy_day_by_day(people):
    reminded_project(people, due_end=DUE)
    contacts = ["alice", "bob", "wang@example.org"]
    expected = {
        date(2024, 5, 23): [],
        date(2024, 5, 24): [(ReminderKind.DUE_SOON, who) for who in contacts],
        date(2024, 5, 27): [],
        date(2024, 5, 30): [(ReminderKind.DUE_SOON, who) for who in contacts],
        DUE: [(ReminderKind.DUE_TODAY, who) for who in contacts],
        date(2024, 6, 1): [(ReminderKind.OVERDUE, who) for who in contacts],
        date(2024, 6, 2): [],
        date(2024, 6, 3): [(ReminderKind.ESCALATED, "chair@example.org"), (ReminderKind.ESCALATED, "sec")],
        date(2024, 6, 14): [(ReminderKind.RED, "lead")],
        date(2024, 6, 20): [],
    }
    for day, rows in expected.items():  # the Mondays' weekly digest has its own test
        assert (day, [row for row in new_rows(day) if row[0] != ReminderKind.DIGEST]) == (day, sorted(rows))


def test_missed_early_reminder_is_sent_late_but_not_after_the_next_one(people):
    reminded_project(people, due_end=DUE)
    assert new_rows(date(2024, 5, 28)) == sorted((ReminderKind.DUE_SOON, w) for w in ["alice", "bob", "wang@example.org"])
    assert ReminderLedger.objects.get(recipient_key="user:{}".format(people["alice"].pk)).step == 7


def test_second_run_sends_nothing_and_counts_already_sent(people):
    reminded_project(people, due_end=DUE)
    first = sent(date(2024, 5, 24))
    second = sent(date(2024, 5, 24))
    assert first == {"date": "2024-05-24", "due_soon": 1, "due_today": 0, "overdue": 0, "escalated": 0, "no_update": 0,
                     "notifications": 3, "emails": 2, "webhooks": 0, "already_sent": 0, "unreachable": 0,
                     "recipients": 3, "items": 3}
    assert second == dict(first, notifications=0, emails=0, already_sent=3, recipients=0, items=0)
    assert ReminderRun.objects.get(date=date(2024, 5, 24)).runs == 2


def test_done_and_cancelled_projects_are_never_reminded(people):
    reminded_project(people, due_end=DUE, status=ProjectStatus.DONE)
    reminded_project(people, due_end=DUE, status=ProjectStatus.CANCELLED)
    for day in (date(2024, 5, 24), DUE, date(2024, 6, 30)):
        assert sent(day)["notifications"] == 0
    assert Notification.objects.count() == 0


def test_moving_the_due_window_rearms_the_reminders(people):
    project = reminded_project(people, due_end=DUE)
    assert sent(date(2024, 5, 24))["notifications"] == 3
    project.due_end = date(2024, 6, 30)
    project.save()
    assert sent(date(2024, 5, 31))["notifications"] == 0
    assert sent(date(2024, 6, 23))["notifications"] == 3
    assert {entry.target_date for entry in ReminderLedger.objects.all()} == {DUE, date(2024, 6, 30)}


@pytest.mark.parametrize(
    ("due_end", "days"),
    [
        (date(2024, 2, 29), [date(2024, 2, 22), date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]),
        (date(2024, 12, 31), [date(2024, 12, 24), date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1)]),
    ],
)
def test_month_ends_get_each_reminder_on_its_day(people, due_end, days):
    reminded_project(people, due_end=due_end)
    kinds = [sorted({kind for kind, _who in new_rows(day) if kind != ReminderKind.DIGEST}) for day in days]
    assert kinds == [[ReminderKind.DUE_SOON], [ReminderKind.DUE_SOON], [ReminderKind.DUE_TODAY], [ReminderKind.OVERDUE]]
    assert {entry.step for entry in ReminderLedger.objects.filter(subject_type="projects.project")} == {0, 1, 7}


def test_send_time_half_past_midnight_beijing_is_the_previous_evening_in_utc(people):
    policy = ReminderPolicy.current()
    policy.send_time = time(0, 30)
    update_reminder_policy(policy=policy)
    schedule = PeriodicTask.objects.get(name=DAILY_TASK).crontab.schedule
    last_run = datetime(2024, 12, 30, 16, 30, tzinfo=dt_timezone.utc)  # 2024-12-31 00:30 in Beijing

    def due_at(hour: int, minute: int, second: int) -> bool:
        schedule.nowfun = lambda: datetime(2024, 12, 31, hour, minute, second, tzinfo=dt_timezone.utc)
        return schedule.is_due(last_run).is_due

    assert (due_at(16, 29, 59), due_at(16, 30, 1)) == (False, True)  # 2025-01-01 00:30 Beijing = 16:30 UTC
    reminded_project(people, due_end=date(2024, 12, 31))
    # 00:15 Beijing: before the send time, the catch-up does not run; 00:45 it runs for 2025-01-01 (overdue).
    assert catch_up_reminders(now=datetime(2024, 12, 31, 16, 15, tzinfo=dt_timezone.utc))["ran"] is False
    assert catch_up_reminders(now=datetime(2024, 12, 31, 16, 45, tzinfo=dt_timezone.utc))["ran"] is True
    assert list(ReminderRun.objects.values_list("date", flat=True)) == [date(2025, 1, 1)]
    assert set(Notification.objects.values_list("kind", flat=True)) == {ReminderKind.OVERDUE}
    assert catch_up_reminders(now=datetime(2024, 12, 31, 16, 55, tzinfo=dt_timezone.utc))["ran"] is False


def test_policy_change_moves_the_beat_schedule(db):
    sync_reminder_schedule()
    task = PeriodicTask.objects.get(name=DAILY_TASK)
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone), task.enabled) == (
        "8", "30", "Asia/Shanghai", True)
    policy = ReminderPolicy.current()
    policy.send_time, policy.enabled = time(17, 5), False
    update_reminder_policy(policy=policy)
    task.refresh_from_db()
    assert (task.crontab.hour, task.crontab.minute, task.task, task.enabled) == (
        "17", "5", "sanlian.projects.send_reminders", False)
    assert sent(date(2024, 5, 24))["notifications"] == 0


def test_no_update_nudge_every_z_days_until_an_update(people):
    project = reminded_project(people, due_end=date(2024, 12, 31), status=ProjectStatus.IN_PROGRESS)
    type(project).objects.filter(pk=project.pk).update(created_at=datetime(2024, 3, 1, 9, tzinfo=dt_timezone.utc))
    assert sent(date(2024, 3, 30))["no_update"] == 0
    first = sent(date(2024, 3, 31))
    assert (first["no_update"], first["notifications"]) == (1, 3)
    assert sent(date(2024, 4, 16))["notifications"] == 0
    factories.progress_update(project, happened_on=date(2024, 4, 20))
    assert sent(date(2024, 5, 1))["no_update"] == 0
    assert sent(date(2024, 5, 21))["notifications"] == 3  # the nudge of 05-20 (30 days after the update), a day late
    assert {e.target_date for e in ReminderLedger.objects.filter(kind=ReminderKind.NO_UPDATE)} == {
        date(2024, 3, 31), date(2024, 5, 20)}


def test_weekly_digest_goes_to_secretariat_and_leaders_once(people):
    reminded_project(people, due_end=date(2024, 6, 5))
    late = reminded_project(people, due_end=date(2024, 5, 1))
    monday = date(2024, 6, 3)
    assert sorted(who for kind, who in new_rows(monday) if kind == ReminderKind.DIGEST) == ["lead", "sec"]
    # The digest is a section of the day's one message: the secretariat's also lists the escalated project.
    message = Notification.objects.get(recipient=people["secretariat"])
    assert (message.kind, message.url) == ("daily", late.get_absolute_url())
    assert "【每周汇总】" in message.body and "/projects/reminders/digest/" in message.body
    assert "【已升级给您】" in message.body
    assert sent(monday)["notifications"] == 0
    assert not [row for row in new_rows(date(2024, 6, 4)) if row[0] == ReminderKind.DIGEST]


def test_weekly_digest_alone_is_its_own_message(people):
    reminded_project(people, due_end=date(2024, 6, 30))
    assert new_messages(date(2024, 6, 3)) == [(ReminderKind.DIGEST, "lead"), (ReminderKind.DIGEST, "sec")]
    assert Notification.objects.filter(recipient=people["leader"]).get().url == "/projects/reminders/digest/"


def test_notify_with_a_subject_sends_once(people):
    alice, project = people["alice"], reminded_project(people, due_end=DUE)
    first = notify(user=alice, kind="meeting", title="会议", body="请参加", subject=project, target_date=DUE)
    again = notify(user=alice, kind="meeting", title="会议", body="请参加", subject=project, target_date=DUE)
    moved = notify(user=alice, kind="meeting", title="会议", body="请参加", subject=project, target_date=DUE.replace(day=30))
    assert (first.email, first.email_state, again, moved is not None) == ("alice@example.org", DeliveryState.PENDING,
                                                                         None, True)
    assert ReminderLedger.objects.filter(subject_type="projects.project", subject_id=project.pk).count() == 2
    with pytest.raises(ValueError):
        notify(kind="x", title="t", body="b")


def test_email_delivery_marks_sent_once_and_retries_failures(people, settings):
    note = notify(user=people["alice"], kind="test", title="截止提醒", body="请更新进展", url="/projects/")
    assert deliver_notification_email(notification_id=note.pk) == "sent"
    assert deliver_notification_email(notification_id=note.pk) == "skipped"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.alternatives[0][1]) == (["alice@example.org"], "text/html")
    assert settings.SITE_URL + "/projects/" in message.body
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    broken = notify(user=people["alice"], kind="test", title="t", body="b")
    assert deliver_notification_email(notification_id=broken.pk) == "retry"
    broken.refresh_from_db()
    assert (broken.email_state, broken.email_attempts, bool(broken.email_error)) == (DeliveryState.PENDING, 1, True)


class Robot(BaseHTTPRequestHandler):
    """A group robot that fails its first call, then answers like WeCom / DingTalk."""

    calls: list = []

    def do_POST(self):  # noqa: N802
        Robot.calls.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        ok = len(Robot.calls) > 1
        self.send_response(200 if ok else 500)
        self.end_headers()
        self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}' if ok else b"busy")

    def log_message(self, *args):
        pass


def test_webhook_failure_is_retried_with_backoff_and_never_blocks_email(people, settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]  # an exempt relay: public robots are not reachable from the tests
    server = HTTPServer(("127.0.0.1", 0), Robot)
    Robot.calls = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        society = people["society"]
        society.webhook_url = "http://127.0.0.1:{}/robot/send?key=x".format(server.server_port)
        society.save()
        reminded_project(people, due_end=DUE)
        counts = sent(date(2024, 5, 24))
        assert (counts["webhooks"], counts["emails"]) == (1, 2)
        delivery = WebhookDelivery.objects.get()
        assert deliver_webhook(delivery_id=delivery.pk) == ("retry", 30)
        emails = Notification.objects.filter(email_state=DeliveryState.PENDING)
        assert [deliver_notification_email(notification_id=n.pk) for n in emails] == ["sent", "sent"]
        assert deliver_webhook(delivery_id=delivery.pk) == ("skipped", 0)  # not before its back-off
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        assert deliver_webhook(delivery_id=delivery.pk) == ("sent", 0)
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, len(Robot.calls)) == (DeliveryState.SENT, 2, 2)
        assert Robot.calls[1]["msgtype"] == "markdown" and "/projects/" in Robot.calls[1]["markdown"]["content"]
        assert sent(date(2024, 5, 24))["webhooks"] == 0
    finally:
        server.shutdown()


def test_unreachable_lists_who_has_no_email(people):
    reminded_project(people, due_end=DUE)
    lonely = factories.project(society=factories.society("市无人学会"), due_end=DUE)
    result = unreachable()
    assert [user.username for user, _society in result["users"]] == ["bob"]
    assert [contact.name for contact, _projects in result["contacts"]] == ["李无邮"]
    assert result["projects"] == [lonely]
    assert sent(date(2024, 5, 24))["unreachable"] == 1  # the lonely project: nobody has an address


def test_command_json_twice_then_nothing(people):
    reminded_project(people, due_end=DUE)
    outputs = []
    for _ in range(2):
        out = StringIO()
        call_command("send_reminders", "--today", "2024-05-24", "--json", stdout=out)
        outputs.append(json.loads(out.getvalue().strip().splitlines()[-1]))
    assert list(outputs[0]) == ["date", "due_soon", "due_today", "overdue", "escalated", "no_update", "notifications",
                                "emails", "webhooks", "already_sent", "unreachable", "recipients", "items"]
    assert (outputs[0]["notifications"], outputs[1]["notifications"], outputs[1]["already_sent"]) == (3, 0, 3)


def test_command_dry_run_writes_nothing(people):
    reminded_project(people, due_end=DUE)
    out = StringIO()
    call_command("send_reminders", "--today", "2024-05-24", "--dry-run", "--json", stdout=out)
    assert json.loads(out.getvalue())["notifications"] == 3
    assert (Notification.objects.count(), ReminderLedger.objects.count(), ReminderRun.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize("value", ["2024-02-30", "tomorrow", "20240524"])
def test_command_refuses_a_bad_date(db, value):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", value)


def test_command_bad_date_exits_1_in_chinese():
    result = subprocess.run([sys.executable, "manage.py", "send_reminders", "--today", "2024-13-01"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("--today") and "日期" in result.stderr  # no English "CommandError:" prefix


def test_digest_page_lists_are_the_daily_runs_digest_made_in_the_database(people):
    """The 催办 page selects in the database (bounded); its lists must be exactly the run's digest lists."""
    from datetime import timedelta

    from projects.models import Project
    from projects.reminders import _plan, reminder_overview

    today = date(2024, 6, 12)  # a Wednesday
    for days in (-6, -2, 0, 1, 2, 3, 4, 13, 14, 15, 40):
        reminded_project(people, due_end=today - timedelta(days=days), status=ProjectStatus.IN_PROGRESS)
    reminded_project(people, due_end=today - timedelta(days=20), status=ProjectStatus.DONE)
    reminded_project(people, due_end=today - timedelta(days=20), status=ProjectStatus.DELAYED)
    quiet = factories.project(society=people["society"], due_end=None, due_start=None,
                              status=ProjectStatus.IN_PROGRESS)
    busy = factories.project(society=people["society"], due_end=None, due_start=None,
                             status=ProjectStatus.IN_PROGRESS)
    factories.progress_update(busy, happened_on=today - timedelta(days=29))
    edge = factories.project(society=people["society"], due_end=None, due_start=None,
                             status=ProjectStatus.IN_PROGRESS)
    factories.progress_update(edge, happened_on=today - timedelta(days=30))
    long_ago = timezone.make_aware(datetime(2024, 1, 1, 9))
    Project.objects.update(created_at=long_ago)
    fresh = factories.project(society=people["society"], due_end=None, due_start=None,
                              status=ProjectStatus.IN_PROGRESS)  # created today: not quiet yet
    digest = _plan(today=today, policy=ReminderPolicy.current()).digest
    sections = reminder_overview(today=today)["sections"]
    names = ["due_this_week", "overdue", "escalated", "red", "no_update"]
    assert [[p.pk for p in rows] for _label, rows, _total in sections] == [[p.pk for p in digest[name]]
                                                                         for name in names]
    assert [total for _label, _rows, total in sections] == [len(digest[name]) for name in names]
    assert quiet in digest["no_update"] and edge in digest["no_update"] and busy not in digest["no_update"]
    assert fresh not in digest["no_update"] and len(digest["red"]) == 4
    limited = reminder_overview(today=today, limit=2)["sections"]
    assert [(len(rows), total) for _label, rows, total in limited][1] == (2, len(digest["overdue"]))
