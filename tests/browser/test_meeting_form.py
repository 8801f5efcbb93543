"""Joint meetings in Chromium: the half year chosen from the list, start and end times, attendance in one table."""

import pytest

from meetings.choices import Attendance
from meetings.models import JointMeeting

pytestmark = pytest.mark.browser


def test_secretariat_schedules_with_times_and_records_attendance_in_one_save(open_page, demo):
    page = open_page(allow_statuses=(400,))
    page.login("secretariat", demo)
    page.goto("/meetings/new/")
    page.page.select_option("#id_half", label="2026年下半年")
    page.page.fill("#id_held_on", "2026-12-18")
    page.page.fill("#id_starts_at", "14:30")
    page.page.fill("#id_ends_at", "17:00")
    page.page.fill("#id_place", "市科协三楼会议室")
    page.submit("main form button[type=submit]")
    meeting = JointMeeting.objects.get()
    assert (meeting.half, meeting.starts_at.strftime("%H:%M"), meeting.ends_at.strftime("%H:%M")) == (
        "2026H2", "14:30", "17:00")
    main = page.page.inner_text("main")
    assert "2026年下半年联席会议" in main and "2026-12-18 14:30–17:00" in main
    rows = page.page.locator("#attendance-form tbody tr")
    assert rows.count() == meeting.invitations.count() > 1
    # a delegated unit without a name: refused in Chinese, nothing stored
    page.page.select_option("#id_attendance-0-attendance", Attendance.PRESENT)
    page.page.select_option("#id_attendance-1-attendance", Attendance.DELEGATED)
    page.submit("#attendance-form button[type=submit]")
    assert "请填写代表本单位出席的人员" in page.page.inner_text("main")
    assert not meeting.invitations.exclude(attendance=Attendance.INVITED).exists()
    page.page.fill("#id_attendance-1-attendee", "张主任")
    page.submit("#attendance-form button[type=submit]")
    assert "出席情况已保存" in page.page.inner_text("main")
    assert meeting.invitations.filter(attendance=Attendance.PRESENT).count() == 1
    assert meeting.invitations.get(attendance=Attendance.DELEGATED).attendee == "张主任"
