"""Rounds through the HTTP client: the secretariat creates, edits, marks and publishes; publishing freezes; a
contact sees only their own unit's score, rank and lost points; others get 404; bad input gets a Chinese 400."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from evaluation.models import Mark, Result, Round
from societies.choices import Role
from tests import factories

from .conftest import YEAR, outcome

pytestmark = pytest.mark.django_db


def new_round(client, user, **overrides):
    client.force_login(user)
    data = {"name": "2025年度评价", "year": YEAR, "half": 0, "evaluated": "both", "excellent_min": 85,
            "good_min": 70, "fair_min": 60}
    data.update(overrides)
    return client.post(reverse("evaluation:rounds"), data)


def scheme_data(round_, **weights):
    indicators = list(round_.indicators.all())
    data = {"form-TOTAL_FORMS": len(indicators), "form-INITIAL_FORMS": len(indicators), "round-name": round_.name,
            "round-year": round_.year, "round-half": round_.half, "round-evaluated": round_.evaluated,
            "round-excellent_min": 85, "round-good_min": 70, "round-fair_min": 60}
    for index, item in enumerate(indicators):
        data.update({"form-{}-id".format(index): item.pk, "form-{}-name".format(index): item.name,
                     "form-{}-weight".format(index): weights.get(item.code, item.weight),
                     "form-{}-normalisation".format(index): item.normalisation,
                     "form-{}-threshold".format(index): item.threshold or ""})
    return data


def test_secretariat_runs_marks_and_publishes_a_round(client, world):
    response = new_round(client, world["secretariat"])
    round_ = Round.objects.get()
    assert response.status_code == 302 and round_.indicators.count() == 10
    page = client.get(reverse("evaluation:round", args=[round_.pk]))
    assert page.status_code == 200 and "市老科协" in page.content.decode() and "枣庄市科协" not in page.content.decode()
    key = "s{}".format(world["s2"].pk)
    assert client.post(reverse("evaluation:mark", args=[round_.pk]),
                       {"unit": key, "points": "9", "comment": "协同有力"}).status_code == 302
    assert Mark.objects.get().points == 9
    refused = client.post(reverse("evaluation:mark", args=[round_.pk]), {"unit": key, "points": "9", "comment": ""})
    assert refused.status_code == 400 and "评语" in refused.content.decode()
    too_many = client.post(reverse("evaluation:mark", args=[round_.pk]), {"unit": key, "points": "30", "comment": "好"})
    assert too_many.status_code == 400 and "0至10" in too_many.content.decode()
    assert client.post(reverse("evaluation:publish", args=[round_.pk])).status_code == 302
    round_.refresh_from_db()
    assert round_.is_published and Result.objects.filter(round=round_).count() == 4
    again = client.post(reverse("evaluation:publish", args=[round_.pk]))
    assert again.status_code == 400 and "已公布" in again.content.decode()
    frozen = client.post(reverse("evaluation:mark", args=[round_.pk]), {"unit": key, "points": "1", "comment": "改"})
    assert frozen.status_code == 400 and "冻结" in frozen.content.decode() and Mark.objects.get().points == 9


def test_weights_not_adding_up_to_100_are_refused(client, world):
    new_round(client, world["secretariat"])
    round_ = Round.objects.get()
    url = reverse("evaluation:scheme", args=[round_.pk])
    response = client.post(url, scheme_data(round_, brands=9))
    assert response.status_code == 400 and "指标权重之和为104，应为100。" in response.content.decode()
    assert round_.indicators.get(code="brands").weight == 5
    assert client.post(url, scheme_data(round_, brands=9, activities=11)).status_code == 302
    assert round_.indicators.get(code="brands").weight == 9


def test_bad_grade_thresholds_get_a_chinese_message(client, world):
    response = new_round(client, world["secretariat"], good_min=90)
    assert response.status_code == 400 and "等次分数线须依次降低" in response.content.decode()
    assert not Round.objects.exists()


def test_publishing_freezes_the_round(client, world):
    new_round(client, world["secretariat"])
    round_ = Round.objects.get()
    client.post(reverse("evaluation:publish", args=[round_.pk]))
    url = reverse("evaluation:unit", args=[round_.pk]) + "?unit=s{}".format(world["s2"].pk)
    before = client.get(url).context["score"]
    for _ in range(3):
        outcome(world["projects"][3], participants=5000)
    after = client.get(url).context["score"]
    assert after.score == before.score and after.indicators[2].value == before.indicators[2].value == 1
    new_round(client, world["secretariat"], name="复算")
    fresh = Round.objects.get(name="复算")
    recomputed = client.get(reverse("evaluation:unit", args=[fresh.pk]) + "?unit=s{}".format(world["s2"].pk))
    assert recomputed.context["score"].indicators[2].value == 4 and recomputed.context["score"].score > before.score


def test_contacts_see_only_their_own_unit(client, world):
    new_round(client, world["secretariat"])
    round_ = Round.objects.get()
    own = reverse("evaluation:unit", args=[round_.pk]) + "?unit=s{}".format(world["s1"].pk)
    other = reverse("evaluation:unit", args=[round_.pk]) + "?unit=s{}".format(world["s2"].pk)
    client.force_login(world["s1_user"])
    assert client.get(reverse("evaluation:round", args=[round_.pk])).status_code == 404  # a draft
    client.force_login(world["secretariat"])
    client.post(reverse("evaluation:publish", args=[round_.pk]))
    client.force_login(world["s1_user"])
    page = client.get(reverse("evaluation:round", args=[round_.pk]))
    assert page.status_code == 200
    shown = [item.unit for _label, scores in page.context["groups"] for item in scores]
    assert shown == ["市老科协"]
    detail = client.get(own)
    assert detail.status_code == 200 and detail.context["score"].rank in (1, 2)
    assert "失分指标" in detail.content.decode() and "重点项目按期完成率" in detail.content.decode()
    assert client.get(other).status_code == 404
    assert client.get(reverse("evaluation:docx", args=[round_.pk])).status_code == 404
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("evaluation:xlsx", args=[round_.pk])).content))
    assert [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == ["市老科协"]
    client.force_login(world["d1_user"])
    assert client.get(other).status_code == 404
    assert client.get(reverse("evaluation:unit", args=[round_.pk]) + "?unit=d{}".format(
        world["d1"].pk)).status_code == 200
    client.force_login(world["leader"])
    assert client.get(other).status_code == 200
    assert client.post(reverse("evaluation:publish", args=[round_.pk])).status_code == 404
    client.force_login(factories.user(Role.SOCIETY))  # a society account without a society
    assert client.get(reverse("evaluation:round", args=[round_.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("evaluation:round", args=[round_.pk])).status_code == 302


def test_the_word_summary_names_every_unit_and_score(client, world):
    from docx import Document

    new_round(client, world["secretariat"])
    round_ = Round.objects.get()
    client.post(reverse("evaluation:publish", args=[round_.pk]))
    response = client.get(reverse("evaluation:docx", args=[round_.pk]))
    document = Document(io.BytesIO(response.content))
    text = "\n".join([p.text for p in document.paragraphs] + [cell.text for table in document.tables
                                                              for row in table.rows for cell in row.cells])
    assert "总体情况" in text and "下一步工作" in text
    for result in Result.objects.filter(round=round_):
        assert result.unit_name in text and str(result.score) in text
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("evaluation:xlsx", args=[round_.pk])).content))
    assert book.sheetnames == ["得分", "指标"] and book.worksheets[0].max_row == 5
    assert date.today().year >= YEAR


def test_round_list_by_role_and_bad_input(client, world):
    client.force_login(world["leader"])
    assert client.get(reverse("evaluation:rounds")).status_code == 200
    assert client.post(reverse("evaluation:rounds"), {"name": "x", "year": YEAR}).status_code == 404  # not the leader's
    client.force_login(world["d1_user"])
    assert client.get(reverse("evaluation:rounds")).status_code == 200
    client.force_login(factories.user(Role.SECRETARIAT))
    assert client.post(reverse("evaluation:nominations"), {"round": "abc"}).status_code == 404
    response = new_round(client, world["secretariat"], year="两千")
    assert response.status_code == 400 and "整数" in response.content.decode()
    client.force_login(world["secretariat"])
    assert client.get(reverse("evaluation:unit", args=[999]) + "?unit=s1").status_code == 404
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("nobody", password="x-long-password"))
    assert client.get(reverse("evaluation:rounds")).status_code == 404
    assert client.get(reverse("evaluation:honour")).status_code == 200  # an empty roll for a user with no role


def test_round_page_queries_do_not_grow_with_the_units(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    new_round(client, world["secretariat"])
    draft = Round.objects.get()
    new_round(client, world["secretariat"], name="已公布")
    published = Round.objects.get(name="已公布")
    client.post(reverse("evaluation:publish", args=[published.pk]))

    def counts() -> list[int]:
        found = []
        for round_ in (draft, published):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("evaluation:round", args=[round_.pk])).status_code == 200
            found.append(len(queries))
        return found

    small = counts()
    for _number in range(10):
        society = factories.society()
        outcome(factories.project(society=society, districts=[factories.district()], year=YEAR))
    Round.objects.filter(pk=published.pk).update(status="draft")
    published.results.all().delete()
    client.post(reverse("evaluation:publish", args=[published.pk]))
    assert published.results.count() == 24
    assert counts() == small


def test_my_projects_shows_the_units_latest_published_result(client, world):
    new_round(client, world["secretariat"])
    round_ = Round.objects.get()
    client.force_login(world["s1_user"])
    assert "my-evaluation" not in client.get(reverse("projects:mine")).content.decode()  # a draft is not shown
    client.force_login(world["secretariat"])
    client.post(reverse("evaluation:publish", args=[round_.pk]))
    client.force_login(world["s1_user"])
    page = client.get(reverse("projects:mine")).content.decode()
    own = Result.objects.get(round=round_, society=world["s1"])
    assert "my-evaluation" in page and str(own.score) in page and "?unit=s{}".format(world["s1"].pk) in page
