"""A meeting decision with an owner unit: that unit's contacts (a society's or a district's) are told once, through
the portal's one delivery path (notification centre + e-mail from the worker); nobody else is."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from meetings.models import Decision, JointMeeting
from meetings.services import add_decision, tell_owner_of_decision
from projects.choices import DeliveryState
from projects.models import Notification
from projects.notifications import deliver_notifications
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db
KIND = "decision_assigned"


@pytest.fixture
def people():
    s1, s2, d1 = factories.society("市老科协"), factories.society("市医学会"), factories.district("滕州市科协")
    inactive = factories.user(Role.SOCIETY, society=s1, email="gone@example.org")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    return {"s1": s1, "s2": s2, "d1": d1, "secretariat": factories.user(Role.SECRETARIAT),
            "alice": factories.user(Role.SOCIETY, society=s1, email="alice@example.org"),
            "amy": factories.user(Role.SOCIETY, society=s1),
            "bob": factories.user(Role.SOCIETY, society=s2, email="bob@example.org"),
            "dora": factories.user(Role.DISTRICT, district=d1, email="dora@example.org"),
            "leader": factories.user(Role.LEADER, email="leader@example.org"), "inactive": inactive}


@pytest.fixture
def meeting():
    return JointMeeting.objects.create(half="2026H1", held_on=date(2026, 6, 20))


def told(kind=KIND):
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind).select_related("recipient"))


def test_decision_for_a_society_tells_its_contacts_once(client, people, meeting, django_capture_on_commit_callbacks):
    client.force_login(people["secretariat"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:decision_add", args=[meeting.pk]), {
            "text": "建立专家服务企业长效机制", "society": people["s1"].pk, "deadline": "2026-09-30"})
    assert response.status_code == 302
    assert told() == sorted([people["alice"].username, people["amy"].username])
    note = Notification.objects.filter(kind=KIND).first()
    assert note.title == "2026年上半年联席会议议定事项（市老科协负责）"
    assert "建立专家服务企业长效机制" in note.body and "2026-09-30" in note.body
    decision = Decision.objects.get()
    assert note.url == decision.get_absolute_url()
    assert mail.outbox == []  # e-mail from the worker, never inside the request
    pending = Notification.objects.filter(kind=KIND, email_state=DeliveryState.PENDING).values_list("pk", flat=True)
    deliver_notifications(notification_ids=list(pending))
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    # a second call for the same decision sends nothing more
    assert tell_owner_of_decision(decision)["notifications"] == 0
    assert Notification.objects.filter(kind=KIND).count() == 2


def test_decision_for_a_district_tells_the_district_only(people, meeting):
    add_decision(meeting, user=people["secretariat"], text="推动科普基地建设", district=people["d1"])
    assert told() == [people["dora"].username]


def test_refused_decision_tells_nobody(client, people, meeting):
    client.force_login(people["secretariat"])
    response = client.post(reverse("meetings:decision_add", args=[meeting.pk]), {
        "text": "两个责任单位", "society": people["s1"].pk, "district": people["d1"].pk})
    assert response.status_code == 400
    assert not Decision.objects.exists() and told() == []


def test_each_decision_is_its_own_notice(people, meeting):
    add_decision(meeting, user=people["secretariat"], text="第一项", society=people["s2"])
    add_decision(meeting, user=people["secretariat"], text="第二项", society=people["s2"])
    assert told() == [people["bob"].username] * 2


def test_decision_added_in_the_back_office_tells_the_owner_once(client, people, meeting):
    client.force_login(people["secretariat"])
    url = reverse("admin:meetings_decision_add")
    data = {"meeting": meeting.pk, "text": "后台录入的议定事项", "society": people["s2"].pk, "district": "",
            "deadline": "2026-08-31", "status": "open", "follow_up": ""}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    decision = Decision.objects.get()
    client.post(reverse("admin:meetings_decision_change", args=[decision.pk]), {**data, "follow_up": "推进中"})
    assert told() == [people["bob"].username]
