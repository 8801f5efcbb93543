"""The back office runs the same sanitiser as the portal: HTML edited in /admin/ is stored clean and served clean."""

from datetime import date

import pytest
from django.urls import reverse

from meetings.models import Bulletin, JointMeeting
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE = ('<p>正文<script>alert(1)</script><img src="x" onerror="alert(2)">'
           '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
           '<a href="javascript:alert(3)" onclick="alert(4)">链接</a><iframe src="https://evil.example/"></iframe></p>')


def assert_clean(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script", "onerror", "<meta", "http-equiv", "javascript:", "onclick", "<iframe", "<img"):
        assert bad not in lowered, (bad, html)
    assert "正文" in html and "链接" in html


@pytest.fixture
def secretariat(client):
    user = factories.user(Role.SECRETARIAT)
    client.force_login(user)
    return user


def test_a_bulletin_body_edited_in_the_back_office_is_stored_and_served_clean(client, secretariat):
    bulletin = Bulletin.objects.create(kind="news", title="工作动态", body="<p>原文</p>", is_public=True)
    url = reverse("admin:meetings_bulletin_change", args=[bulletin.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "news", "title": "工作动态", "body": HOSTILE, "is_public": "on",
                                 "author": secretariat.pk})
    assert response.status_code == 302, response.context["adminform"].form.errors
    bulletin.refresh_from_db()
    assert_clean(bulletin.body)
    client.logout()  # the public reader
    page = client.get(bulletin.get_absolute_url())
    assert page.status_code == 200
    assert_clean(page.content.decode().split('bulletin-body">', 1)[1].split("</article>", 1)[0])


def test_a_bulletin_added_in_the_back_office_is_stored_clean(client, secretariat):
    response = client.post(reverse("admin:meetings_bulletin_add"),
                           {"kind": "news", "title": "新动态", "body": HOSTILE, "is_public": "on",
                            "author": secretariat.pk})
    assert response.status_code == 302
    assert_clean(Bulletin.objects.get(title="新动态").body)


def test_a_bulletin_stored_unclean_by_a_bulk_path_is_still_served_clean(client):
    bulletin = Bulletin.objects.create(kind="news", title="旧数据", body="<p>x</p>", is_public=True)
    Bulletin.objects.filter(pk=bulletin.pk).update(body=HOSTILE)  # no save(): an old row or a bulk write
    html = client.get(bulletin.get_absolute_url()).content.decode()
    assert_clean(html.split('bulletin-body">', 1)[1].split("</article>", 1)[0])


def test_meeting_minutes_edited_in_the_back_office_are_stored_clean(client, secretariat):
    meeting = JointMeeting.objects.create(half="2024H1", held_on=date(2024, 6, 20), place="市科协")
    url = reverse("admin:meetings_jointmeeting_change", args=[meeting.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {"half": "2024H1", "held_on": "2024-06-20", "place": "市科协", "chair": "", "status": "planned",
            "minutes": HOSTILE, "created_by": secretariat.pk}
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data.update({prefix + "-TOTAL_FORMS": "0", prefix + "-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, (response.context["adminform"].form.errors, [f.formset.errors for f in response.context["inline_admin_formsets"]])
    meeting.refresh_from_db()
    assert_clean(meeting.minutes)
