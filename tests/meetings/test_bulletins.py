"""Information bulletins: sanitised, searchable, public or for logged-in users, RSS feed."""

import pytest
from django.urls import reverse

from meetings.models import Bulletin
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


def publish(client, user, **overrides):
    client.force_login(user)
    data = {"kind": "policy", "title": "科技政策解读", "body": "<p>正文<script>alert(1)</script></p>", "is_public": ""}
    data.update(overrides)
    return client.post(reverse("meetings:bulletin_create"), data)


def test_bulletin_published_sanitised_and_searchable(client):
    society = factories.user(Role.SOCIETY, society=factories.society("市医学会"))
    assert publish(client, society).status_code == 302
    bulletin = Bulletin.objects.get()
    assert "script" not in bulletin.body and "正文" in bulletin.body and bulletin.society.name == "市医学会"
    page = client.get(reverse("meetings:bulletin", args=[bulletin.pk])).content.decode()
    assert "<script>alert" not in page
    assert [b.pk for b in client.get(reverse("meetings:bulletins"), {"q": "政策"}).context["page"]] == [bulletin.pk]
    assert list(client.get(reverse("meetings:bulletins"), {"q": "专利"}).context["page"]) == []


def test_private_bulletins_need_a_login_and_public_ones_are_in_the_feed(client):
    secretariat = factories.user(Role.SECRETARIAT)
    publish(client, secretariat, title="内部动态")
    publish(client, secretariat, title="公开成果", kind="results", is_public="on")
    private, public = Bulletin.objects.get(title="内部动态"), Bulletin.objects.get(title="公开成果")
    client.logout()
    assert client.get(reverse("meetings:bulletin", args=[private.pk])).status_code == 404
    assert client.get(reverse("meetings:bulletin", args=[public.pk])).status_code == 200
    feed = client.get(reverse("meetings:bulletin_feed")).content.decode()
    assert "公开成果" in feed and "内部动态" not in feed and feed.startswith("<?xml")


def test_district_and_leader_cannot_publish(client):
    for role, kwargs in ((Role.LEADER, {}), (Role.DISTRICT, {"district": factories.district()})):
        assert publish(client, factories.user(role, **kwargs)).status_code == 404
    assert not Bulletin.objects.exists()


def test_bulletin_without_title_is_refused(client):
    response = publish(client, factories.user(Role.SECRETARIAT), title="")
    assert response.status_code == 400 and not Bulletin.objects.exists()


def test_bulletin_list_query_count_does_not_grow(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(factories.user(Role.LEADER))
    society = factories.society()
    counts = []
    for total in (2, 25):
        while Bulletin.objects.count() < total:
            Bulletin.objects.create(title="动态", body="<p>正文</p>", society=society)
        client.get(reverse("meetings:bulletins"))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("meetings:bulletins"))
        counts.append(len(captured))
    assert counts[0] == counts[1]
