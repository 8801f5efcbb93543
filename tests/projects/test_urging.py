"""催办 by hand: one project or a batch from the list, once per project a day, through the HTTP client."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from projects.models import Notification, ReminderLedger, Urge, WebhookDelivery
from projects.reminders import local_today
from tests import factories

from .conftest import reminded_project

pytestmark = pytest.mark.django_db
LATE = date(2024, 5, 1)


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_urge_one_project_tells_the_contacts_now_and_records_history(client, people):
    society = people["society"]
    society.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a"
    society.save()
    project = reminded_project(people, due_end=LATE, title="科普进社区")
    client.force_login(people["secretariat"])
    response = client.post(reverse("projects:urge", args=[project.pk]), {"note": "请本周内报送"})
    assert (response.status_code, response["Location"]) == (302, project.get_absolute_url())
    assert told(response) == ["已催办1个项目：已通知学会联系人。"]
    notes = Notification.objects.filter(kind="urge")
    assert sorted(n.recipient.username if n.recipient else n.email for n in notes) == [
        "alice", "bob", "wang@example.org"]
    alice = notes.get(recipient=people["alice"])
    assert (alice.title, alice.email, alice.url) == ("催办：科普进社区", "alice@example.org", project.get_absolute_url())
    assert "附言：请本周内报送" in alice.body and "联系人：王联系" in alice.body
    robot = WebhookDelivery.objects.get()
    assert robot.markdown and "科普进社区" in robot.text and "请本周内报送" in robot.text
    urge = Urge.objects.get()
    assert (urge.by, urge.note, urge.on_date) == (people["secretariat"], "请本周内报送", local_today())
    page = client.get(project.get_absolute_url()).content.decode()
    assert "点击了 催办" in page and "请本周内报送" in page


def test_urge_again_the_same_day_is_refused_in_chinese(client, people):
    project = reminded_project(people, due_end=LATE, title="科普进社区")
    client.force_login(people["secretariat"])
    client.post(reverse("projects:urge", args=[project.pk]), follow=True)  # the page shows (and uses up) its message
    again = client.post(reverse("projects:urge", args=[project.pk]), {"note": "再催"})
    assert told(again) == ["“科普进社区”今天已催办过，未重复发送。"]
    assert (Notification.objects.count(), Urge.objects.count()) == (3, 1)


def test_batch_urge_sends_one_message_per_person_and_refuses_repeats(client, people):
    first, second = (reminded_project(people, due_end=LATE, title="项目{}".format(n)) for n in "甲乙")
    other_society = people["outsider"].profile.society
    other_society.webhook_url = "https://oapi.dingtalk.com/robot/send?access_token=b"
    other_society.save()
    theirs = factories.project(society=other_society, due_end=LATE, title="别家项目")
    client.force_login(people["secretariat"])
    response = client.post(reverse("projects:urge_batch"), {
        "project": [first.pk, second.pk, theirs.pk], "note": "月底前完成", "next": reverse("projects:list")})
    assert (response.status_code, response["Location"]) == (302, reverse("projects:list"))
    assert told(response) == ["已催办3个项目：已通知学会联系人。"]
    [alice] = Notification.objects.filter(recipient=people["alice"])
    assert alice.title == "催办：2个项目" and "项目甲" in alice.body and "项目乙" in alice.body
    assert "别家项目" not in alice.body
    [charlie] = Notification.objects.filter(recipient=people["outsider"])
    assert "别家项目" in charlie.body
    assert list(WebhookDelivery.objects.values_list("society", flat=True)) == [other_society.pk]
    assert ReminderLedger.objects.filter(kind="urge", notification=alice).count() == 2
    client.get(response["Location"])  # the list shows (and uses up) the message
    again = client.post(reverse("projects:urge_batch"), {"project": [first.pk, factories.project(
        society=people["society"], due_end=LATE, title="项目丙").pk]})
    assert told(again) == ["已催办1个项目：已通知学会联系人。", "“项目甲”今天已催办过，未重复发送。"]
    assert Urge.objects.count() == 4


def test_a_note_too_long_on_one_project_is_refused(client, people):
    project = reminded_project(people, due_end=LATE)
    client.force_login(people["secretariat"])
    response = client.post(reverse("projects:urge", args=[project.pk]), {"note": "长" * 501})
    assert response.status_code == 400 and "附言最多500个字。" in response.content.decode()
    assert (Notification.objects.count(), Urge.objects.count()) == (0, 0)


@pytest.mark.parametrize("who", ["alice", "leader", "outsider"])
def test_only_the_secretariat_may_urge(client, people, who):
    project = reminded_project(people, due_end=LATE)
    client.force_login(people[who])
    assert client.post(reverse("projects:urge", args=[project.pk])).status_code == 404
    assert client.post(reverse("projects:urge_batch"), {"project": [project.pk]}).status_code == 404
    assert client.get(reverse("projects:urge", args=[project.pk])).status_code == 405
    assert (Notification.objects.count(), Urge.objects.count()) == (0, 0)


@pytest.mark.parametrize("form", [{}, {"project": ["abc"]}, {"project": ["1"], "note": "长" * 501},
                                  {"project": ["99999"]}])
def test_bad_batch_is_refused_with_a_chinese_message(client, people, form):
    done = reminded_project(people, due_end=LATE, status="done")
    client.force_login(people["secretariat"])
    response = client.post(reverse("projects:urge_batch"), form or {"project": [done.pk]})
    html = response.content.decode()
    assert response.status_code == 400 and "未发送催办" in html
    assert ("请先勾选要催办的未完成项目。" in html) != ("附言最多500个字，且只能勾选列表中的项目。" in html)
    assert (Notification.objects.count(), Urge.objects.count()) == (0, 0)


def test_list_has_checkboxes_for_the_secretariat_only(client, people):
    project = reminded_project(people, due_end=LATE)
    box = 'name="project" value="{}" form="urge-form"'.format(project.pk)
    client.force_login(people["secretariat"])
    assert box in client.get(reverse("projects:list")).content.decode()
    client.force_login(people["alice"])
    html = client.get(reverse("projects:list")).content.decode()
    assert box not in html and 'id="urge-form"' not in html


def test_reminders_page_lists_each_project_once_and_marks_the_red_list(client, people):
    red = reminded_project(people, due_end=date(2000, 1, 1), title="很久以前的项目")
    soon = reminded_project(people, due_end=local_today(), title="今天到期的项目")
    client.force_login(people["secretariat"])
    response = client.get(reverse("projects:reminder_digest"))
    rows = response.context["rows"]
    assert [(row.project, row.red) for row in rows] == [(red, True), (soon, False)]
    assert rows[0].late == (local_today() - date(2000, 1, 1)).days and rows[0].contact == "王联系"
    html = response.content.decode()
    assert html.count(">很久以前的项目</a>") == 1 and 'class="red-list"' in html
    assert 'formaction="{}"'.format(reverse("projects:urge", args=[red.pk])) in html
    client.force_login(people["leader"])
    assert 'id="urge-form"' not in client.get(reverse("projects:reminder_digest")).content.decode()


@pytest.mark.parametrize("count", [2, 12])
def test_batch_urge_query_count_is_constant(client, people, django_assert_max_num_queries, count):
    ids = [reminded_project(people, due_end=LATE).pk for _ in range(count)]
    client.force_login(people["secretariat"])
    with django_assert_max_num_queries(14):
        client.post(reverse("projects:urge_batch"), {"project": ids})
    assert Urge.objects.count() == count
