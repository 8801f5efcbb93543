"""Bulletins: the title labelled 标题, line breaks typed in the body kept (no script), and the author and the
secretariat edit and withdraw a bulletin while every other user gets 404."""

import pytest
from django.urls import reverse

from meetings.models import Bulletin
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    s1, s2 = factories.society("市医学会"), factories.society("市老科协")
    return {"author": factories.user(Role.SOCIETY, society=s1), "colleague": factories.user(Role.SOCIETY, society=s1),
            "other": factories.user(Role.SOCIETY, society=s2), "secretariat": factories.user(Role.SECRETARIAT),
            "leader": factories.user(Role.LEADER), "district": factories.user(Role.DISTRICT,
                                                                             district=factories.district())}


def publish(client, user, **overrides):
    client.force_login(user)
    data = {"kind": "news", "title": "医学会义诊活动", "body": "第一行\n第二行\n\n第二段 <b>加粗</b> & 5 < 6",
            "is_public": "on"}
    data.update(overrides)
    response = client.post(reverse("meetings:bulletin_create"), data)
    assert response.status_code == 302
    return Bulletin.objects.latest("pk")


def test_bulletin_form_labels_the_title_biaoti(client, people):
    client.force_login(people["author"])
    html = client.get(reverse("meetings:bulletin_create")).content.decode()
    assert '<label for="id_title">标题' in html and "项目名称" not in html


def test_bulletin_plain_text_keeps_line_breaks_and_paragraphs(client, people):
    bulletin = publish(client, people["author"])
    page = client.get(bulletin.get_absolute_url()).content.decode()
    assert "<p>第一行<br>第二行</p>" in page
    assert "<p>第二段 <b>加粗</b> &amp; 5 &lt; 6</p>" in page
    feed = client.get(reverse("meetings:bulletin_feed")).content.decode()
    assert "第一行&lt;br&gt;第二行" in feed  # the feed carries the same paragraphs (escaped inside XML)


def test_bulletin_html_body_kept_and_script_removed(client, people):
    bulletin = publish(client, people["author"], body="<p>一段</p><p>二段<script>alert(1)</script></p>")
    page = client.get(bulletin.get_absolute_url()).content.decode()
    assert "<p>一段</p><p>二段</p>" in page and "alert(1)" not in page


@pytest.mark.parametrize("editor", ["author", "secretariat"])
def test_bulletin_author_and_secretariat_edit(client, people, editor):
    bulletin = publish(client, people["author"])
    client.force_login(people[editor])
    page = client.get(bulletin.get_absolute_url()).content.decode()
    assert reverse("meetings:bulletin_edit", args=[bulletin.pk]) in page
    form = client.get(reverse("meetings:bulletin_edit", args=[bulletin.pk]))
    assert form.status_code == 200 and "第一行\n第二行" in form.content.decode()
    response = client.post(reverse("meetings:bulletin_edit", args=[bulletin.pk]), {
        "kind": "policy", "title": "改过的标题", "body": "新正文", "is_public": ""})
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert (bulletin.title, bulletin.kind, bulletin.body, bulletin.is_public) == ("改过的标题", "policy", "新正文", False)
    assert bulletin.history.first().history_user == people[editor]


def test_bulletin_edit_with_bad_input_keeps_the_bulletin(client, people):
    bulletin = publish(client, people["author"])
    response = client.post(reverse("meetings:bulletin_edit", args=[bulletin.pk]), {
        "kind": "nope", "title": "", "body": "x"})
    assert response.status_code == 400 and "处需要修改" in response.content.decode()
    bulletin.refresh_from_db()
    assert bulletin.title == "医学会义诊活动"


@pytest.mark.parametrize("who", ["colleague", "other", "leader", "district"])
def test_bulletin_others_cannot_edit_or_withdraw(client, people, who):
    bulletin = publish(client, people["author"])
    client.force_login(people[who])
    page = client.get(bulletin.get_absolute_url()).content.decode()
    assert reverse("meetings:bulletin_edit", args=[bulletin.pk]) not in page
    assert client.get(reverse("meetings:bulletin_edit", args=[bulletin.pk])).status_code == 404
    assert client.post(reverse("meetings:bulletin_edit", args=[bulletin.pk]), {
        "kind": "news", "title": "篡改", "body": "x"}).status_code == 404
    assert client.post(reverse("meetings:bulletin_withdraw", args=[bulletin.pk])).status_code == 404
    bulletin.refresh_from_db()
    assert bulletin.title == "医学会义诊活动" and bulletin.withdrawn_at is None


def test_bulletin_anonymous_is_sent_to_log_in(client, people):
    bulletin = publish(client, people["author"])
    client.logout()
    assert client.post(reverse("meetings:bulletin_withdraw", args=[bulletin.pk])).status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.withdrawn_at is None


@pytest.mark.parametrize("withdrawer", ["author", "secretariat"])
def test_bulletin_withdrawn_is_hidden_from_others_and_can_be_published_again(client, people, withdrawer):
    bulletin = publish(client, people["author"])
    client.force_login(people[withdrawer])
    assert client.post(reverse("meetings:bulletin_withdraw", args=[bulletin.pk]),
                       {"action": "withdraw"}).status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.withdrawn_at is not None
    # the author and the secretariat still read it, marked withdrawn; everyone else no longer finds it
    for who in ("author", "secretariat"):
        client.force_login(people[who])
        assert "已撤回" in client.get(bulletin.get_absolute_url()).content.decode()
        assert bulletin in client.get(reverse("meetings:bulletins")).context["page"].object_list
    for who in ("colleague", "other", "leader"):
        client.force_login(people[who])
        assert client.get(bulletin.get_absolute_url()).status_code == 404
        assert bulletin not in client.get(reverse("meetings:bulletins")).context["page"].object_list
    client.logout()
    assert client.get(bulletin.get_absolute_url()).status_code == 404
    assert "医学会义诊活动" not in client.get(reverse("meetings:bulletin_feed")).content.decode()
    client.force_login(people[withdrawer])
    client.post(reverse("meetings:bulletin_withdraw", args=[bulletin.pk]), {"action": "republish"})
    client.logout()
    assert client.get(bulletin.get_absolute_url()).status_code == 200
