from datetime import date

import pytest

from meetings.choices import Attendance, DecisionStatus, MeetingStatus
from meetings.models import Decision, Invitation, JointMeeting
from projects.choices import ProjectStatus, ReviewStatus
from projects.models import ActivityOutcome
from reports.models import OrganisationRecord
from societies.choices import Role
from tests import factories

YEAR = 2025


def outcome(project, *, held_on=date(YEAR, 5, 1), review=ReviewStatus.CONFIRMED, participants=10, experts=0,
            served=0):
    return ActivityOutcome.objects.create(project=project, held_on=held_on, title="活动", kind="popularisation",
                                          review=review, participants=participants, expert_person_times=experts,
                                          served_count=served)


def record(kind, *, society=None, district=None, count=1, happened_on=date(YEAR, 3, 1),
           review=ReviewStatus.CONFIRMED):
    return OrganisationRecord.objects.create(kind=kind, happened_on=happened_on, title="记录", society=society,
                                             district=district, count=count, review=review)


@pytest.fixture
def world(db):
    """Two societies, two districts (and the city association, never ranked), with projects, outcomes, updates,
    records, a held meeting with attendance and decisions."""
    s1, s2 = factories.society("市老科协"), factories.society("市医学会")
    d1, d2 = factories.district("滕州市科协"), factories.district("市中区科协")
    city = factories.district("枣庄市科协", is_city=True)
    p1 = factories.project(society=s1, districts=[d1], year=YEAR, due_start=date(YEAR, 5, 1),
                           due_end=date(YEAR, 5, 31))
    p1.status = ProjectStatus.DONE
    p1.save()  # done in history now: after the due date, so late
    p2 = factories.project(society=s1, year=YEAR, due_start=date(YEAR, 6, 1), due_end=date(YEAR, 6, 30))
    p3 = factories.project(society=s2, districts=[d2, city], year=YEAR, due_start=date(YEAR, 9, 1),
                           due_end=date(YEAR, 9, 30), status=ProjectStatus.CANCELLED)
    p4 = factories.project(society=s2, districts=[d2], year=YEAR, due_start=date(YEAR, 10, 1),
                           due_end=date(YEAR, 10, 31))
    factories.progress_update(p1, happened_on=date(YEAR, 1, 5))
    factories.progress_update(p1, happened_on=date(YEAR, 1, 20))
    factories.progress_update(p1, happened_on=date(YEAR, 3, 2))
    factories.progress_update(p4, happened_on=date(YEAR, 2, 2))
    outcomes = [outcome(p1, participants=100, experts=5, served=2), outcome(p1, participants=50, experts=1),
                outcome(p4, participants=30, served=4), outcome(p4, participants=999, review=ReviewStatus.PENDING),
                outcome(p2, participants=70, held_on=date(YEAR - 1, 12, 1))]
    record("member_intake", society=s1, count=120)
    record("member_intake", society=s2, count=40)
    record("member_intake", society=s2, count=500, review=ReviewStatus.PENDING)
    record("brand_municipal", society=s2)
    record("brand_provincial", district=d1)
    meeting = JointMeeting.objects.create(half="{}H1".format(YEAR), held_on=date(YEAR, 6, 20),
                                          status=MeetingStatus.HELD)
    Invitation.objects.create(meeting=meeting, society=s1, attendance=Attendance.PRESENT)
    Invitation.objects.create(meeting=meeting, society=s2, attendance=Attendance.ABSENT)
    Invitation.objects.create(meeting=meeting, district=d1, attendance=Attendance.DELEGATED)
    Decision.objects.create(meeting=meeting, text="办理", society=s1, deadline=date(YEAR, 7, 1),
                            status=DecisionStatus.OPEN)
    return {"s1": s1, "s2": s2, "d1": d1, "d2": d2, "city": city, "projects": [p1, p2, p3, p4],
            "outcomes": outcomes, "secretariat": factories.user(Role.SECRETARIAT),
            "leader": factories.user(Role.LEADER), "s1_user": factories.user(Role.SOCIETY, society=s1),
            "s2_user": factories.user(Role.SOCIETY, society=s2), "d1_user": factories.user(Role.DISTRICT, district=d1)}
