"""Matching: a small registry where the right expert is known; each need's expert is in the top 3 and the reasons
name the matching words; the command's contract."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from needs import services
from needs.matching import bigrams, matching_words, suggest_experts
from sanlian.access import SYSTEM
from societies.models import Industry
from tests import factories

from .conftest import make_expert, make_need

pytestmark = pytest.mark.django_db

REGISTRY = [
    ("甲", "锂电池隔膜材料、涂覆工艺", "新材料"),
    ("乙", "数控机床精度检测、伺服控制", "高端装备"),
    ("丙", "石墨烯导热膜制备", "新材料"),
    ("丁", "煤化工废水处理、催化剂", "高端化工"),
    ("戊", "果树栽培、石榴病虫害防治", "现代农业"),
    ("己", "锂离子电池电解液配方", "新能源"),
    ("庚", "工业软件、机器视觉缺陷检测", "高端装备"),
]
NEEDS = [  # title, description, industry, the expert who should come up
    ("隔膜涂层不均匀", "湿法隔膜涂覆后出现条纹，需要改进涂覆工艺", "新材料", "甲"),
    ("机床加工精度下降", "数控机床长期运行后定位精度下降，需要检测和补偿", "高端装备", "乙"),
    ("化工园区废水达标", "企业煤化工废水COD偏高，寻求处理技术", "高端化工", "丁"),
    ("石榴裂果严重", "石榴园裂果和病虫害多发", "现代农业", "戊"),
    ("电解液低温性能", "锂离子电池电解液低温下导电率低", "新能源", "己"),
    ("产品表面缺陷检测", "希望用机器视觉替代人工检测表面缺陷", "高端装备", "庚"),
]


@pytest.fixture
def registry():
    district = factories.district("滕州市科协")
    industries = {}
    experts = {}
    for name, fields, industry in REGISTRY:
        industries[industry] = Industry.objects.get_or_create(name=industry)[0]
        experts[name] = make_expert(name, field=fields, industries=[industries[industry]])
    needs = [(make_need(district=district, title=title, description=text, industry=industries[industry]),
              experts[expected]) for title, text, industry, expected in NEEDS]
    return {"needs": needs, "experts": experts, "district": district}


def test_bigrams_work_without_spaces():
    assert {"隔膜", "涂覆"} <= bigrams("湿法隔膜涂覆") and "技术" not in bigrams("技术")
    assert matching_words("隔膜涂覆，改进涂覆工艺", {"涂覆", "覆工", "工艺", "隔膜"}) == ["隔膜", "涂覆工艺"]


def test_matching_right_expert_in_top_three_with_matching_words(registry):
    for need, expected in registry["needs"]:
        top = suggest_experts(need, user=SYSTEM, limit=3)
        assert expected.pk in [item.id for item in top], need.title
        hit = next(item for item in top if item.id == expected.pk)
        words = next(reason for reason in hit.reasons if reason.startswith("领域匹配"))
        assert any(word in (need.title + need.description) for word in words.split("：")[1].split("、"))


def test_matching_reasons_name_the_words_and_industry(registry):
    need, expert = registry["needs"][0]
    best = suggest_experts(need, user=SYSTEM)[0]
    assert best.id == expert.pk
    assert best.reasons[:2] == ["同一产业：新材料", "领域匹配：隔膜、涂覆工艺"]


def test_matching_load_penalty_and_past_services(registry):
    need, expert = registry["needs"][0]
    other = make_need(district=registry["district"], title="隔膜孔隙率控制", description="隔膜孔隙率", industry=need.industry)
    user = factories.user(__import__("societies.choices", fromlist=["Role"]).Role.SECRETARIAT)
    before = suggest_experts(need, user=SYSTEM)[0].score
    services.assign(other, user=user, experts=[expert])
    busy = suggest_experts(need, user=SYSTEM)[0]
    assert busy.score == before - 0.5 and busy.reasons[-1] == "在办对接 1 项"
    services.record_visit(other, user=user, held_on=date(2026, 5, 1), experts=[expert])
    served = suggest_experts(need, user=SYSTEM)[0]
    assert "曾服务本产业需求 1 项" in served.reasons


def test_suggest_experts_command_json(registry, capsys):
    need, expert = registry["needs"][1]
    call_command("suggest_experts", str(need.pk), "--limit", "2", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) <= 2 and rows[0]["expert_id"] == expert.pk
    assert set(rows[0]) == {"expert_id", "name", "score", "reasons"}
    assert rows == sorted(rows, key=lambda row: -row["score"])


def test_suggest_experts_command_unknown_need_exits_1(db):
    with pytest.raises(CommandError) as error:
        call_command("suggest_experts", "999999")
    assert error.value.returncode == 1 and "没有编号为 999999 的需求" in str(error.value)


def test_suggestions_on_the_page_only_for_who_may_assign(client, world):
    client.force_login(world["secretariat"])
    page = client.get(reverse("needs:detail", args=[world["need"].pk]))
    assert [item.id for item in page.context["expert_suggestions"]][:1] == [world["expert"].pk]
    assert "领域匹配" in page.content.decode()
    client.force_login(world["leader"])
    assert client.get(reverse("needs:detail", args=[world["need"].pk])).context["expert_suggestions"] == []
