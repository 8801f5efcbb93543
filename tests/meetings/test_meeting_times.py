"""Joint meetings: the half year chosen from a list and shown as "2026年上半年" everywhere (pages, e-mail subjects,
the .ics), start and end times (a timed calendar event), and the attendance table saved in one go or not at all."""

import re
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from meetings.choices import Attendance
from meetings.models import Invitation, JointMeeting, half_label
from meetings.services import meeting_ics
from projects.choices import DeliveryState
from projects.models import Notification
from projects.notifications import deliver_notifications
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    s1, s2 = factories.society("市老科协"), factories.society("市医学会")
    d1 = factories.district("滕州市科协")
    return {"s1": s1, "s2": s2, "d1": d1, "secretariat": factories.user(Role.SECRETARIAT),
            "alice": factories.user(Role.SOCIETY, society=s1, email="alice@example.org"),
            "dora": factories.user(Role.DISTRICT, district=d1)}


def schedule(client, people, **overrides):
    client.force_login(people["secretariat"])
    data = {"half": "2026H1", "held_on": "2026-06-20", "starts_at": "09:00", "ends_at": "11:30",
            "place": "市科协三楼会议室", "chair": "王主席", "agenda": "各学会汇报"}
    data.update(overrides)
    return client.post(reverse("meetings:create"), data)


def test_half_label_reads_as_people_write_it():
    assert half_label("2026H1") == "2026年上半年"
    assert half_label("2026H2") == "2026年下半年"


def test_meeting_form_offers_the_half_years_as_a_list(client, people):
    client.force_login(people["secretariat"])
    html = client.get(reverse("meetings:create")).content.decode()
    select = re.search(r'<select name="half".*?</select>', html, re.S).group(0)
    assert '<option value="2026H1"' in select and ">2026年上半年</option>" in select
    assert ">2026年下半年</option>" in select
    assert 'type="time" name="starts_at"' in html and 'type="time" name="ends_at"' in html


def test_schedule_stores_times_and_shows_the_half_year_everywhere(client, people,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = schedule(client, people)
    assert response.status_code == 302
    meeting = JointMeeting.objects.get()
    assert (meeting.half, str(meeting.starts_at), str(meeting.ends_at)) == ("2026H1", "09:00:00", "11:30:00")
    assert str(meeting) == "2026年上半年联席会议"
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "2026年上半年" in page and "2026-06-20 09:00–11:30" in page and "2026H1" not in page
    listing = client.get(reverse("meetings:list")).content.decode()
    assert "2026年上半年联席会议" in listing and "2026H1" not in listing
    pending = Notification.objects.filter(email_state=DeliveryState.PENDING).values_list("pk", flat=True)
    deliver_notifications(notification_ids=list(pending))
    message = mail.outbox[0]
    assert "2026年上半年联席会议" in message.subject and "2026H1" not in message.subject
    assert "09:00–11:30" in message.subject
    ics = message.attachments[0][1]
    assert "SUMMARY:2026年上半年联席会议" in ics
    # 09:00–11:30 in Asia/Shanghai (UTC+8) is 01:00–03:30 UTC: a timed event, not an all-day one
    assert "DTSTART:20260620T010000Z" in ics and "DTEND:20260620T033000Z" in ics
    assert "VALUE=DATE" not in ics


def test_meeting_without_times_stays_an_all_day_event(people):
    meeting = JointMeeting.objects.create(half="2026H2", held_on=date(2026, 12, 18))
    ics = meeting_ics(meeting)
    assert "DTSTART;VALUE=DATE:20261218" in ics and "SUMMARY:2026年下半年联席会议" in ics


@pytest.mark.parametrize("overrides, field, message", [
    ({"half": "2026H3"}, "half", "选择一个有效的选项"),
    ({"ends_at": "08:30"}, "ends_at", "会议的结束时间必须晚于开始时间"),
    ({"starts_at": "25:00"}, "starts_at", "时间"),
    ({"held_on": "2026-09-01"}, "held_on", "2026年上半年"),
])
def test_schedule_bad_half_or_times_refused_in_chinese(client, people, overrides, field, message):
    response = schedule(client, people, **overrides)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not JointMeeting.objects.exists()


def _table(meeting, change: dict[int, tuple[str, str]]) -> dict:
    rows = list(meeting.invitations.all())
    data = {"attendance-TOTAL_FORMS": str(len(rows)), "attendance-INITIAL_FORMS": str(len(rows))}
    for index, row in enumerate(rows):
        attendance, attendee = change.get(row.pk, (row.attendance, row.attendee))
        data.update({"attendance-{}-invitation".format(index): str(row.pk),
                     "attendance-{}-attendance".format(index): attendance,
                     "attendance-{}-attendee".format(index): attendee})
    return data


def test_attendance_table_saves_every_row_in_one_post(client, people):
    schedule(client, people)
    meeting = JointMeeting.objects.get()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert page.count('name="attendance-') >= 3 * meeting.invitations.count()
    assert page.count('id="attendance-form"') == 1  # one table, one form, one save button
    s1, s2, d1 = (meeting.invitations.get(society=people["s1"]), meeting.invitations.get(society=people["s2"]),
                  meeting.invitations.get(district=people["d1"]))
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]), _table(meeting, {
        s1.pk: (Attendance.PRESENT, "李健"), s2.pk: (Attendance.ABSENT, ""), d1.pk: (Attendance.DELEGATED, "张主任")}))
    assert response.status_code == 302
    got = {i.pk: (i.attendance, i.attendee) for i in Invitation.objects.filter(meeting=meeting)}
    assert got == {s1.pk: (Attendance.PRESENT, "李健"), s2.pk: (Attendance.ABSENT, ""),
                   d1.pk: (Attendance.DELEGATED, "张主任")}


@pytest.mark.parametrize("bad", ["choice", "delegated_without_name", "foreign_row", "too_long"])
def test_attendance_table_bad_row_saves_nothing(client, people, bad):
    schedule(client, people)
    meeting = JointMeeting.objects.get()
    s1, s2 = meeting.invitations.get(society=people["s1"]), meeting.invitations.get(society=people["s2"])
    data = _table(meeting, {s1.pk: (Attendance.PRESENT, "李健")})
    index = next(i for i in range(3) if data["attendance-{}-invitation".format(i)] == str(s2.pk))
    if bad == "choice":
        data["attendance-{}-attendance".format(index)] = "maybe"
    elif bad == "delegated_without_name":
        data["attendance-{}-attendance".format(index)] = Attendance.DELEGATED
    elif bad == "foreign_row":
        other = JointMeeting.objects.create(half="2026H2", held_on=date(2026, 12, 1))
        data["attendance-{}-invitation".format(index)] = str(
            Invitation.objects.create(meeting=other, society=people["s2"]).pk)
    else:
        data["attendance-{}-attendee".format(index)] = "张" * 201
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "处需要修改" in html and "未保存任何内容" in html
    s1.refresh_from_db()
    assert (s1.attendance, s1.attendee) == (Attendance.INVITED, "")  # the good row was not stored either


def test_attendance_table_is_for_the_secretariat_only(client, people):
    schedule(client, people)
    meeting = JointMeeting.objects.get()
    invitation = meeting.invitations.get(society=people["s1"])
    client.force_login(people["alice"])
    assert 'id="attendance-form"' not in client.get(meeting.get_absolute_url()).content.decode()
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]),
                           _table(meeting, {invitation.pk: (Attendance.PRESENT, "")}))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.attendance == Attendance.INVITED
