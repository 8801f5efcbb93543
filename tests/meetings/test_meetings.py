"""Joint meetings: scheduling with invitations, attendance, decisions carried over, minutes sanitised, access."""

from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.choices import Attendance, DecisionStatus, MeetingStatus
from meetings.models import Decision, Document, JointMeeting
from meetings.services import remind_decisions
from projects.choices import DeliveryState
from projects.models import Notification
from projects.notifications import deliver_notifications
from societies.choices import Role
from tests import factories
from tests.projects.test_updates import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    s1, s2 = factories.society("市老科协"), factories.society("市医学会")
    d1 = factories.district("滕州市科协")
    return {"s1": s1, "s2": s2, "d1": d1,
            "secretariat": factories.user(Role.SECRETARIAT), "leader": factories.user(Role.LEADER),
            "alice": factories.user(Role.SOCIETY, society=s1, email="alice@example.org"),
            "bob": factories.user(Role.SOCIETY, society=s2, email="bob@example.org"),
            "dora": factories.user(Role.DISTRICT, district=d1)}


def schedule(client, people, **overrides):
    client.force_login(people["secretariat"])
    data = {"half": "2025H1", "held_on": "2025-06-20", "starts_at": "09:00", "ends_at": "11:30", "place": "市科协三楼会议室", "chair": "王主席",
            "agenda": "各学会汇报\n区（市）科协汇报"}
    data.update(overrides)
    return client.post(reverse("meetings:create"), data)


def test_schedule_invites_every_unit_with_mail_and_ics(client, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = schedule(client, people)
    meeting = JointMeeting.objects.get()
    assert response.status_code == 302
    assert {str(i.unit) for i in meeting.invitations.all()} == {"市老科协", "市医学会", "滕州市科协"}
    assert [item.title for item in meeting.agenda.all()] == ["各学会汇报", "区（市）科协汇报"]
    assert mail.outbox == []  # e-mail goes out from the worker, never inside the request
    pending = Notification.objects.filter(email_state=DeliveryState.PENDING).values_list("pk", flat=True)
    assert deliver_notifications(notification_ids=list(pending)) == {"sent": 2}
    assert {m.to[0] for m in mail.outbox} == {"alice@example.org", "bob@example.org"}
    attachment = mail.outbox[0].attachments[0]
    assert attachment[0] == "invitation.ics" and "DTSTART:20250620T010000Z" in attachment[1]
    assert Notification.objects.filter(recipient=people["dora"], kind="meeting_invitation").count() == 1


@pytest.mark.parametrize("overrides", [{"half": "2025H3"}, {"half": "abc"}, {"held_on": "2025-09-01"},
                                       {"held_on": "2025-02-30"}])
def test_schedule_bad_input_is_refused(client, people, overrides):
    response = schedule(client, people, **overrides)
    assert response.status_code == 400 and not JointMeeting.objects.exists()


def test_only_the_secretariat_schedules(client, people):
    for who in ("leader", "alice", "dora"):
        client.force_login(people[who])
        assert client.post(reverse("meetings:create"), {"half": "2025H1", "held_on": "2025-06-20"}).status_code == 404
    assert not JointMeeting.objects.exists()


def test_units_answer_and_secretariat_records_attendance(client, people):
    schedule(client, people)
    meeting = JointMeeting.objects.get()
    client.force_login(people["alice"])
    client.post(reverse("meetings:answer", args=[meeting.pk]), {"attendance": Attendance.CONFIRMED,
                                                                "attendee": "李健"})
    invitation = meeting.invitations.get(society=people["s1"])
    assert (invitation.attendance, invitation.attendee) == (Attendance.CONFIRMED, "李健")
    client.force_login(people["secretariat"])
    rows = list(meeting.invitations.all())
    data = {"attendance-TOTAL_FORMS": len(rows), "attendance-INITIAL_FORMS": len(rows)}
    for index, row in enumerate(rows):
        data.update({"attendance-{}-invitation".format(index): row.pk, "attendance-{}-attendee".format(index): "",
                     "attendance-{}-attendance".format(index):
                         Attendance.PRESENT if row.pk == invitation.pk else row.attendance})
    client.post(reverse("meetings:attendance", args=[meeting.pk]), data)
    invitation.refresh_from_db()
    assert invitation.attendance == Attendance.PRESENT


def test_open_decisions_carry_into_the_next_agenda_and_show_on_my_projects(client, people):
    schedule(client, people)
    first = JointMeeting.objects.get()
    client.post(reverse("meetings:decision_add", args=[first.pk]), {
        "text": "建立专家服务企业长效机制", "society": people["s1"].pk, "deadline": "2025-09-30"})
    client.post(reverse("meetings:decision_add", args=[first.pk]), {
        "text": "已完成的事项", "district": people["d1"].pk})
    done = Decision.objects.get(text="已完成的事项")
    client.post(reverse("meetings:decision_status", args=[done.pk]), {"status": DecisionStatus.DONE})
    schedule(client, people, half="2025H2", held_on="2025-12-18")
    second = JointMeeting.objects.get(half="2025H2")
    titles = [item.title for item in second.agenda.all()]
    assert titles[0] == "上次会议议定事项落实情况" and "建立专家服务企业长效机制" in titles[1]
    assert not any("已完成的事项" in title for title in titles)
    client.force_login(people["alice"])
    assert "建立专家服务企业长效机制" in client.get(reverse("projects:mine")).content.decode()
    client.force_login(people["bob"])
    assert "建立专家服务企业长效机制" not in client.get(reverse("projects:mine")).content.decode()


def test_decision_reminders_are_sent_once(client, people):
    schedule(client, people)
    meeting = JointMeeting.objects.get()
    Decision.objects.create(meeting=meeting, text="报送材料", society=people["s1"], deadline=date(2025, 7, 5))
    assert remind_decisions(today=date(2025, 7, 1)) == 1
    assert remind_decisions(today=date(2025, 7, 2)) == 0
    assert remind_decisions(today=date(2025, 7, 10)) == 1  # overdue: the next stage, once
    assert remind_decisions(today=date(2025, 7, 11)) == 0
    assert Notification.objects.filter(recipient=people["alice"], kind="decision_due").count() == 1
    assert Notification.objects.filter(recipient=people["alice"], kind="decision_overdue").count() == 1


def test_decision_without_exactly_one_owner_is_refused(client, people):
    schedule(client, people)
    meeting = JointMeeting.objects.get()
    response = client.post(reverse("meetings:decision_add", args=[meeting.pk]), {
        "text": "没有牵头单位", "society": people["s1"].pk, "district": people["d1"].pk})
    assert response.status_code == 400 and not Decision.objects.exists()


def test_minutes_are_sanitised(client, people):
    schedule(client, people)
    meeting = JointMeeting.objects.get()
    client.post(reverse("meetings:minutes", args=[meeting.pk]), {
        "status": MeetingStatus.HELD,
        "minutes": '<p onclick="alert(1)">会议纪要<script>alert(2)</script><a href="javascript:alert(3)">链接</a></p>'})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert "script" not in meeting.minutes and "onclick" not in meeting.minutes and "javascript" not in meeting.minutes
    assert "会议纪要" in meeting.minutes


def test_a_societys_own_file_is_not_found_for_another_society(client, people):
    schedule(client, people)
    meeting = JointMeeting.objects.get()
    client.force_login(people["alice"])
    response = client.post(reverse("meetings:document_upload", args=[meeting.pk]),
                           {"files": [SimpleUploadedFile("汇报.pdf", PDF)]})
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.society == people["s1"]
    for who, status in (("alice", 200), ("secretariat", 200), ("leader", 200), ("bob", 404), ("dora", 404)):
        client.force_login(people[who])
        assert client.get(reverse("meetings:document", args=[document.pk])).status_code == status


def test_meeting_pages_need_a_role(client, people):
    schedule(client, people)
    meeting = JointMeeting.objects.get()
    client.logout()
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 302
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("stranger"))
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404


def test_meeting_list_query_count_does_not_grow(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["leader"])
    counts = []
    for total in (2, 12):
        while JointMeeting.objects.count() < total:
            JointMeeting.objects.create(half="2025H1", held_on=date(2025, 6, 1))
        client.get(reverse("meetings:list"))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("meetings:list"))
        counts.append(len(captured))
    assert counts[0] == counts[1]
