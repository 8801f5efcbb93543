"""The notification centre, the digest and unreachable pages, and the calendar feed, through the HTTP client."""

from datetime import date

import pytest
from django.urls import reverse

from projects.models import CalendarFeed, Notification
from projects.notifications import notify
from tests import factories

from .conftest import reminded_project

pytestmark = pytest.mark.django_db


def notes(user, count: int) -> None:
    for number in range(count):
        notify(user=user, kind="test", title="提醒{}".format(number), body="内容", url="/projects/")


@pytest.mark.parametrize("count", [2, 20])
def test_notification_list_query_count_is_constant(client, people, django_assert_num_queries, count):
    notes(people["alice"], count)
    client.force_login(people["alice"])
    with django_assert_num_queries(7):
        response = client.get(reverse("projects:notifications"))
    assert response.status_code == 200
    assert len(response.context["notifications"]) == count
    assert response.context["unread_notifications"] == count


def test_notification_list_shows_only_my_own(client, people):
    notes(people["alice"], 2)
    notes(people["bob"], 1)
    client.force_login(people["bob"])
    response = client.get(reverse("projects:notifications"))
    assert [n.title for n in response.context["notifications"]] == ["提醒0"]
    assert "提醒1" not in response.content.decode()


def test_mark_read_one_then_all_and_header_count(client, people):
    notes(people["alice"], 3)
    mine = list(Notification.objects.filter(recipient=people["alice"]).order_by("pk"))
    client.force_login(people["alice"])
    response = client.post(reverse("projects:notification_read", args=[mine[0].pk]), {"open": "1"})
    assert (response.status_code, response["Location"]) == (302, "/projects/")
    assert client.get(reverse("projects:list")).context["unread_notifications"] == 2
    client.post(reverse("projects:notifications_read_all"))
    assert Notification.objects.filter(recipient=people["alice"], read_at__isnull=True).count() == 0


def test_mark_read_of_someone_elses_notification_is_not_found(client, people):
    notes(people["alice"], 1)
    client.force_login(people["bob"])
    note = Notification.objects.get()
    assert client.post(reverse("projects:notification_read", args=[note.pk])).status_code == 404
    assert client.get(reverse("projects:notification_read", args=[note.pk])).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_notifications_need_login(client):
    response = client.get(reverse("projects:notifications"))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("login"))


@pytest.mark.parametrize(("who", "digest", "unreachable"), [
    ("secretariat", 200, 200), ("leader", 200, 404), ("alice", 404, 404), ("outsider", 404, 404),
])
def test_digest_and_unreachable_pages_by_role(client, people, who, digest, unreachable):
    reminded_project(people, due_end=date(2024, 5, 31))
    client.force_login(people[who])
    assert client.get(reverse("projects:reminder_digest")).status_code == digest
    assert client.get(reverse("projects:unreachable")).status_code == unreachable


@pytest.mark.parametrize("count", [2, 12])
def test_unreachable_page_query_count_is_constant(client, people, django_assert_num_queries, count):
    for _ in range(count):
        reminded_project(people, due_end=date(2024, 5, 31))
    client.force_login(people["secretariat"])
    with django_assert_num_queries(10):  # 9, and the header's 待确认 count (one query, whatever waits)
        response = client.get(reverse("projects:unreachable"))
    assert [c.name for c, projects in response.context["contacts"]] == ["李无邮"] * count
    assert "bob" in response.content.decode()


@pytest.mark.parametrize("count", [2, 12])
def test_digest_page_query_count_is_constant(client, people, django_assert_num_queries, count):
    for _ in range(count):
        reminded_project(people, due_end=date(2024, 5, 31))
    client.force_login(people["leader"])
    with django_assert_num_queries(13):  # the counts in one query, then each list's first rows, then their contacts
        response = client.get(reverse("projects:reminder_digest"))
    assert len(response.context["sections"][1][1]) == count  # overdue


def test_calendar_feed_is_private_revocable_and_scoped(client, people):
    mine = reminded_project(people, due_end=date(2024, 5, 31), title="老科协项目")
    factories.project(society=people["outsider"].profile.society, title="别人的项目")
    factories.project(society=people["society"], title="已完成的项目", status="done")
    client.force_login(people["alice"])
    page = client.get(reverse("projects:calendar"))
    feed = CalendarFeed.objects.get(user=people["alice"])
    assert page.context["feed_url"].endswith("/projects/calendar/{}.ics".format(feed.token))
    client.logout()
    response = client.get(feed.get_absolute_url())  # no login needed: the token is the key
    body = response.content.decode()
    assert (response.status_code, response["Content-Type"]) == (200, "text/calendar; charset=utf-8")
    assert body.count("BEGIN:VEVENT") == 1
    assert "DTSTART;VALUE=DATE:20240531" in body and "老科协项目" in body and "别人的项目" not in body
    assert "UID:project-{}-2024-05-31@".format(mine.pk) in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    client.force_login(people["alice"])
    client.post(reverse("projects:calendar"))
    assert client.get(feed.get_absolute_url()).status_code == 404
    assert client.get("/projects/calendar/guess.ics").status_code == 404


def test_header_shows_unread_count(client, people):
    notes(people["alice"], 2)
    client.force_login(people["alice"])
    html = client.get(reverse("projects:list")).content.decode()
    assert '<span class="notify-count"' in html and ">2</span>" in html


def test_society_contact_sees_reminder_in_app_after_a_run(client, people):
    from projects.reminders import send_reminders

    reminded_project(people, due_end=date(2024, 5, 31), title="科普进社区")
    send_reminders(today=date(2024, 5, 24))
    client.force_login(people["bob"])  # no e-mail address: in-app only
    response = client.get(reverse("projects:notifications"))
    assert [n.level for n in response.context["notifications"]] == ["yellow"]
    assert "科普进社区" in response.content.decode()


def test_admin_policy_change_moves_the_beat_schedule_and_refuses_bad_input(client, people):
    from django_celery_beat.models import PeriodicTask

    from projects.models import ReminderPolicy
    from projects.reminders import DAILY_TASK

    policy = ReminderPolicy.current()
    client.force_login(people["secretariat"])
    url = reverse("admin:projects_reminderpolicy_change", args=[policy.pk])
    form = {"enabled": "on", "send_time": "07:15", "digest_weekday": "0", "days_before": "10, 3,1",
            "remind_due_day": "on", "remind_overdue": "on", "escalate_after_days": "3", "red_after_days": "14",
            "no_update_days": "30"}
    assert client.post(url, dict(form, days_before="7,abc")).status_code == 200  # the form again, with the error
    assert ReminderPolicy.current().days_before == "7,1"
    assert client.post(url, form).status_code == 302
    policy.refresh_from_db()
    assert policy.days_before_list == [10, 3, 1]
    task = PeriodicTask.objects.get(name=DAILY_TASK)
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("7", "15", "Asia/Shanghai")
    assert client.get(reverse("admin:projects_reminderpolicy_add")).status_code == 403
