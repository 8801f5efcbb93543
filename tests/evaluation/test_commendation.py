"""Commendation: nominations pre-filled from a published round's top grade or entered by a unit, the way
提名 → 初审 → 领导审定 → 公布 with who and when and a notification at each step, the roll of honour, and the
draft 表扬 bulletin."""

import pytest
from django.urls import reverse

from evaluation.choices import Half, NominationStep
from evaluation.models import Nomination, Round
from evaluation.scoring import create_round, publish, set_mark
from meetings.choices import BulletinKind
from projects.models import Notification
from societies.choices import Role
from tests import factories

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def step(client, user, nomination, value):
    client.force_login(user)
    return client.post(reverse("evaluation:nomination_step", args=[nomination.pk]), {"step": value})


def test_a_unit_nominates_a_person_and_the_flow_runs_to_the_roll_of_honour(client, world):
    client.force_login(world["s1_user"])
    response = client.post(reverse("evaluation:nomination_create"), {
        "year": YEAR, "nominee_kind": "person", "society": world["s1"].pk, "person_name": "李健",
        "reasons": "组织老专家滕州行活动", "evidence": "https://example.org/news/1"})
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert nomination.nominated_by == world["s1_user"] and nomination.step == NominationStep.NOMINATED
    assert Notification.objects.filter(recipient=world["secretariat"], kind="commendation").count() == 1
    assert step(client, world["leader"], nomination, "approved").status_code == 400  # not reviewed yet
    assert step(client, world["s1_user"], nomination, "reviewed").status_code == 404  # not theirs to review
    assert step(client, world["secretariat"], nomination, "reviewed").status_code == 302
    assert Notification.objects.filter(recipient=world["leader"], kind="commendation").count() == 1
    refused = step(client, world["secretariat"], nomination, "approved")
    assert refused.status_code == 404  # 领导审定 is the leadership's
    assert step(client, world["leader"], nomination, "approved").status_code == 302
    assert step(client, world["secretariat"], nomination, "published").status_code == 302
    nomination.refresh_from_db()
    assert nomination.step == NominationStep.PUBLISHED
    assert (nomination.reviewed_by, nomination.approved_by, nomination.published_by) == (
        world["secretariat"], world["leader"], world["secretariat"])
    assert nomination.reviewed_at <= nomination.approved_at <= nomination.published_at
    assert Notification.objects.filter(recipient=world["s1_user"], kind="commendation").count() == 1
    bulletin = nomination.bulletin
    assert bulletin.kind == BulletinKind.PRAISE and not bulletin.is_public and "李健" in bulletin.body
    late = step(client, world["secretariat"], nomination, "rejected")
    assert late.status_code == 400 and "不能再变更" in late.content.decode()
    client.force_login(world["s2_user"])  # another unit reads the roll of honour
    page = client.get(reverse("evaluation:honour"))
    assert page.status_code == 200 and "李健（市老科协）" in page.content.decode()


def test_nominations_are_pre_filled_from_the_published_rounds_top_grade(client, world):
    round_ = create_round(name="", year=YEAR, half=Half.YEAR, evaluated="societies", user=None)
    round_.excellent_min, round_.good_min, round_.fair_min = 30, 20, 10
    round_.save()
    set_mark(round_, kind="society", unit_id=world["s1"].pk, points=10, comment="突出", user=None)
    publish(round_, user=world["secretariat"])
    excellent = set(round_.results.filter(grade="excellent").values_list("unit_name", flat=True))
    assert excellent
    client.force_login(world["secretariat"])
    assert client.post(reverse("evaluation:nominations"), {"round": round_.pk}).status_code == 302
    assert set(Nomination.objects.values_list("society__name", flat=True)) == excellent
    assert all("优秀" in item.reasons and item.round == round_ for item in Nomination.objects.all())
    client.post(reverse("evaluation:nominations"), {"round": round_.pk})
    assert Nomination.objects.count() == len(excellent)  # not twice


def test_outsiders_and_other_units_do_not_see_nominations(client, world):
    client.force_login(world["s1_user"])
    client.post(reverse("evaluation:nomination_create"), {
        "year": YEAR, "nominee_kind": "unit", "society": world["s1"].pk, "reasons": "成效突出"})
    nomination = Nomination.objects.get()
    client.force_login(world["s2_user"])
    assert client.get(reverse("evaluation:nomination", args=[nomination.pk])).status_code == 404
    assert list(client.get(reverse("evaluation:nominations")).context["nominations"]) == []
    client.force_login(factories.user(Role.SOCIETY))
    assert client.get(reverse("evaluation:nomination", args=[nomination.pk])).status_code == 404
    client.force_login(world["leader"])
    assert client.get(reverse("evaluation:nomination", args=[nomination.pk])).status_code == 200


def test_a_unit_cannot_nominate_another_units_member_with_bad_input(client, world):
    client.force_login(world["s1_user"])
    response = client.post(reverse("evaluation:nomination_create"), {
        "year": YEAR, "nominee_kind": "unit", "society": world["s2"].pk, "reasons": "x"})
    assert response.status_code == 400 and not Nomination.objects.exists()
    response = client.post(reverse("evaluation:nomination_create"), {"year": YEAR, "nominee_kind": "person",
                                                                     "reasons": "x"})
    assert response.status_code == 400 and "个人提名须填写被提名人" in response.content.decode()
    assert Round.objects.count() == 0


def test_the_half_year_report_shows_the_published_round_or_says_none(world):
    from reports.halfyear import collect, sections

    title, _header, rows = sections(collect("{}H2".format(YEAR)))[-1]
    assert "评价与宣传表扬" in title and "尚未公布" in rows[0][0]
    round_ = create_round(name="2025年度评价", year=YEAR, half=Half.YEAR, evaluated="both", user=None)
    publish(round_, user=world["secretariat"])
    title, _header, rows = sections(collect("{}H2".format(YEAR)))[-1]
    assert "2025年度评价" in title and {row[0] for row in rows} == set(round_.results.values_list("unit_name",
                                                                                                   flat=True))


def test_the_commendation_notice_names_every_published_nominee(client, world):
    import io

    from docx import Document

    from evaluation.commendation import advance, nominate

    names = []
    for society in (world["s1"], world["s2"]):
        item = nominate(user=world["secretariat"], year=YEAR, nominee_kind="unit", society=society, reasons="突出")
        for value, user in (("reviewed", world["secretariat"]), ("approved", world["leader"]),
                            ("published", world["secretariat"])):
            advance(item, step=value, user=user)
        names.append(society.name)
    nominate(user=world["secretariat"], year=YEAR, nominee_kind="person", person_name="未审定", reasons="x")
    client.force_login(world["leader"])
    response = client.get(reverse("evaluation:notice"), {"year": YEAR})
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert all(name in text for name in names) and "未审定" not in text and "受表扬单位" in text
    assert client.get(reverse("evaluation:notice"), {"year": "x"}).status_code == 400
    client.force_login(world["s1_user"])
    assert client.get(reverse("evaluation:notice"), {"year": YEAR}).status_code == 404
