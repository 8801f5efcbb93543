"""One message a day per person from the daily reminder run, through the real database and the locmem mailbox."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from projects.choices import DeliveryState, ReminderKind
from projects.models import Notification, ReminderLedger, WebhookDelivery
from projects.notifications import deliver_notifications
from projects.reminders import send_reminders
from societies.choices import MessagePreference
from tests import factories

from .conftest import reminded_project

pytestmark = pytest.mark.django_db
LATE = date(2024, 5, 1)  # due by then: on DAY the projects are 50 days overdue (overdue, escalated, red list)
DAY = date(2024, 6, 20)  # a Thursday: no weekly digest


def thirty(people) -> list:
    return [reminded_project(people, due_end=LATE, title="逾期项目{:02d}".format(n)) for n in range(30)]


def messages_of(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user))


def deliver_all() -> None:
    deliver_notifications(notification_ids=list(Notification.objects.filter(
        email_state=DeliveryState.PENDING).values_list("pk", flat=True)))


def test_thirty_overdue_projects_give_each_person_one_message(people):
    projects = thirty(people)
    counts = send_reminders(today=DAY)
    # alice, bob (in-app), 王联系 (e-mail only), the chair (e-mail only), the secretariat, the leader
    assert (counts["notifications"], counts["emails"], counts["recipients"]) == (6, 5, 6)
    assert counts["items"] == 30 * 3 + 30 * 2 + 30  # overdue to 3 contacts, escalated to 2, red list to 1
    for who in ("alice", "bob", "secretariat", "leader"):
        [message] = messages_of(people[who])
        assert message.kind == "daily"
        assert all(project.title in message.body for project in projects)
        assert all(project.get_absolute_url() in message.body for project in projects)
    alice = messages_of(people["alice"])[0]
    assert alice.title == "2024-06-20 催办提醒：30个项目"
    assert "【已逾期】(30)" in alice.body and "逾期50天" in alice.body and "市老科协" in alice.body
    assert "联系人：王联系" in alice.body
    assert "【已升级给您】(30)" in messages_of(people["secretariat"])[0].body
    assert "【红色清单（领导）】(30)" in messages_of(people["leader"])[0].body
    deliver_all()
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == ["alice@example.org", "chair@example.org", "lead@example.org", "sec@example.org", "wang@example.org"]
    assert all(project.title in mail.outbox[0].body for project in projects)
    assert ReminderLedger.objects.filter(notification=alice).count() == 30


def test_second_run_same_day_sends_nothing_and_next_day_only_new_items(people):
    thirty(people)
    send_reminders(today=DAY)
    again = send_reminders(today=DAY)
    assert (again["notifications"], again["emails"], again["recipients"], again["items"]) == (0, 0, 0, 0)
    assert again["already_sent"] == 30 * 3 + 30 * 2 + 30
    fresh = reminded_project(people, due_end=DAY + timedelta(days=8), title="新到期项目")  # 7 days ahead tomorrow
    before = set(Notification.objects.values_list("pk", flat=True))
    tomorrow = send_reminders(today=DAY + timedelta(days=1))
    assert (tomorrow["notifications"], tomorrow["items"]) == (3, 3)
    [message] = Notification.objects.exclude(pk__in=before).filter(recipient=people["alice"])
    assert (message.kind, message.url) == (ReminderKind.DUE_SOON, fresh.get_absolute_url())
    assert "新到期项目" in message.title and "逾期项目" not in message.body


def test_immediate_gets_one_message_per_item_and_in_app_no_email(people):
    thirty(people)
    people["alice"].profile.message_preference = MessagePreference.IMMEDIATE
    people["alice"].profile.save()
    sec = people["secretariat"]
    sec.profile.message_preference = MessagePreference.IN_APP
    sec.profile.save()
    send_reminders(today=DAY)
    mine = messages_of(people["alice"])
    assert sorted({m.kind for m in mine}) == [ReminderKind.OVERDUE] and len(mine) == 30
    assert all(m.email == "alice@example.org" for m in mine)
    [note] = messages_of(sec)
    assert (note.email, note.email_state) == ("", DeliveryState.NONE)
    assert len(messages_of(people["bob"])) == 1


def test_webhook_gets_one_markdown_message_per_society_per_day(people):
    society = people["society"]
    society.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a"
    society.save()
    other = factories.society("市医学会", webhook_url="https://oapi.dingtalk.com/robot/send?access_token=b")
    thirty(people)
    factories.project(society=other, due_end=LATE, title="医学会项目")
    factories.project(society=other, due_end=DAY + timedelta(days=1), title="医学会明日项目")
    assert send_reminders(today=DAY)["webhooks"] == 2
    ours = WebhookDelivery.objects.get(society=society)
    theirs = WebhookDelivery.objects.get(society=other)
    assert ours.markdown and ours.text.startswith("### 市老科协：2024-06-20 催办提醒")
    assert ours.text.count("\n- [") == 30 and "逾期50天" in ours.text
    assert "医学会项目" in theirs.text and "医学会明日项目" in theirs.text and "**还有1天到期** (1)" in theirs.text
    assert ReminderLedger.objects.filter(webhook=ours).count() == 30
    assert send_reminders(today=DAY)["webhooks"] == 0
    assert WebhookDelivery.objects.count() == 2


def test_robot_markdown_is_cut_after_thirty_lines(people):
    society = people["society"]
    society.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a"
    society.save()
    for n in range(35):
        factories.project(society=society, due_end=LATE, title="项目{}".format(n))
    send_reminders(today=DAY)
    text = WebhookDelivery.objects.get().text
    assert (text.count("\n- ["), "……另有5项" in text) == (30, True)


def test_robot_markdown_stays_under_wecoms_4096_bytes(people):
    society = people["society"]
    society.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a"
    society.save()
    for n in range(20):
        factories.project(society=society, due_end=LATE, title="很长的项目名称" * 6 + str(n))
    send_reminders(today=DAY)
    text = WebhookDelivery.objects.get().text
    shown = text.count("\n- [")
    assert len(text.encode()) <= 4096 and 0 < shown < 20
    assert text.endswith("……另有{}项".format(20 - shown))


@pytest.mark.parametrize("size", [3, 30])
def test_daily_run_query_count_is_constant(people, django_assert_max_num_queries, size):
    society = people["society"]
    society.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a"
    society.save()
    for n in range(size):
        reminded_project(people, due_end=LATE if n % 2 else DAY + timedelta(days=1))
    with django_assert_max_num_queries(22):  # 20; one for the secretariat's 待确认 section, one for the contacts' accounts
        counts = send_reminders(today=DAY)
    assert counts["emails"] <= counts["recipients"]


def test_command_json_counts_messages_recipients_and_items(people):
    thirty(people)
    out = StringIO()
    call_command("send_reminders", "--today", DAY.isoformat(), "--json", stdout=out)
    counts = json.loads(out.getvalue().strip().splitlines()[-1])
    assert {key: counts[key] for key in ("notifications", "emails", "recipients", "items")} == {
        "notifications": 6, "emails": 5, "recipients": 6, "items": 180}


def test_notification_centre_shows_the_items_as_links(client, people, settings):
    projects = thirty(people)
    send_reminders(today=DAY)
    client.force_login(people["bob"])
    html = client.get(reverse("projects:notifications")).content.decode()
    links = ['<a href="{}{}"'.format(settings.SITE_URL, p.get_absolute_url()) for p in projects]
    assert [link in html for link in links] == [True] * 30


def test_preference_page_saves_the_choice_and_refuses_junk(client, people):
    client.force_login(people["alice"])
    url = reverse("projects:notification_settings")
    page = client.get(url)
    assert (page.status_code, page.context["form"]["message_preference"].value()) == (200, "daily")
    refused = client.post(url, {"message_preference": "hourly"})
    assert refused.status_code == 400 and "选择一个有效的选项" in refused.content.decode()
    assert client.post(url, {"message_preference": "immediate"})["Location"] == reverse("projects:notifications")
    people["alice"].profile.refresh_from_db()
    assert people["alice"].profile.message_preference == MessagePreference.IMMEDIATE


def test_preference_page_needs_login_and_makes_a_profile_for_a_superuser(client, django_user_model):
    url = reverse("projects:notification_settings")
    assert client.get(url).status_code == 302
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    assert client.post(url, {"message_preference": "in_app"}).status_code == 302
    assert admin.profile.message_preference == MessagePreference.IN_APP
