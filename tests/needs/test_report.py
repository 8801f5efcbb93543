"""needs_report: its numbers equal the rows of the 需求台账 page; T3-served counts distinct enterprises; the
leader sees the figure move; seed_demo makes needs, experts and matches."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from needs import services
from needs.choices import NeedStatus
from needs.models import Need, NeedMatch, NeedVisit
from reports.targets import load_targets, target_status
from sanlian.access import SYSTEM
from tests import factories

from .conftest import make_need

pytestmark = pytest.mark.django_db


def report(year: int) -> dict:
    out = io.StringIO()
    call_command("needs_report", "--year", str(year), "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def flow(world):
    sec = world["secretariat"]
    firm = factories.partner("光芯科技")
    n2 = make_need(district=world["d1"], partner=firm, title="封装散热", collected_on=date(2026, 3, 1))
    n3 = make_need(district=world["d2"], partner=firm, title="芯片测试", collected_on=date(2026, 3, 11),
                   industry=world["chem"])
    make_need(district=world["d2"], title="去年的需求", collected_on=date(2025, 6, 1))
    for need, matched, visited, solved in ((world["need"], date(2026, 3, 7), date(2026, 3, 20), date(2026, 4, 4)),
                                           (n2, date(2026, 3, 5), date(2026, 3, 9), None),
                                           (n3, date(2026, 3, 15), date(2026, 3, 16), None)):
        services.assign(need, user=sec, experts=[world["expert"]], on=matched)
        services.record_visit(need, user=sec, held_on=visited, experts=[world["expert"]])
        if solved:
            services.close(need, user=sec, solved=True, satisfaction=5, on=solved)
    services.close(n3, user=sec, solved=False, reason="企业暂缓", on=date(2026, 3, 30))
    make_need(district=world["d1"], title="新需求", collected_on=date(2026, 5, 1))
    return world


def test_needs_report_exact_keys_and_numbers(flow):
    figures = report(2026)
    assert list(figures) == ["needs", "by_status", "by_industry", "by_district", "enterprises_served",
                             "matched_share", "solved_share", "median_days_to_match", "median_days_to_solve"]
    assert figures["needs"] == 4 == sum(figures["by_status"].values())
    assert figures["by_status"] == {"collected": 1, "matched": 0, "visited": 1, "solved": 1, "unsolved": 1}
    assert figures["by_industry"] == {"新材料": 1, "未分类": 2, "高端化工": 1}
    assert figures["by_district"] == {"市中区科协": 3, "薛城区科协": 1}
    assert figures["enterprises_served"] == 2  # 光芯科技 served twice counts once
    assert (figures["matched_share"], figures["solved_share"]) == (0.75, 0.25)
    assert figures["median_days_to_match"] == 4 and figures["median_days_to_solve"] == 30


def test_needs_report_equals_the_ledger_page_rows(client, flow):
    figures = report(2026)
    client.force_login(flow["secretariat"])
    page = client.get(reverse("needs:list"), {"year": 2026})
    assert page.context["page"].paginator.count == figures["needs"]
    for status, count in figures["by_status"].items():
        rows = client.get(reverse("needs:list"), {"year": 2026, "status": status}).context["page"].paginator.count
        assert rows == count, status
    district = client.get(reverse("needs:list"), {"year": 2026, "district": flow["d1"].pk})
    assert district.context["page"].paginator.count == figures["by_district"]["市中区科协"]


def test_t3_served_counts_distinct_enterprises(flow):
    load_targets()
    served = {s.code: s for s in target_status(year=2026, user=SYSTEM, as_of=date(2026, 12, 31))}["T3-served"]
    assert served.value == 2 == report(2026)["enterprises_served"]
    assert NeedVisit.objects.filter(pk__in=served.record_ids).count() == 3


def test_leader_sees_the_figure_move(client, world):
    load_targets()
    client.force_login(world["leader"])
    year = date.today().year

    def shown():
        page = client.get(reverse("reports:dashboard"), {"year": year})
        return {t.code: t.value for t in page.context["targets"]}["T3-served"]

    before = shown()
    need = make_need(district=world["d1"], title="新的需求", collected_on=date.today())
    services.assign(need, user=world["secretariat"], experts=[world["expert"]])
    services.record_visit(need, user=world["secretariat"], held_on=date.today(), experts=[world["expert"]])
    assert shown() == before + 1


def test_seed_demo_makes_needs_experts_and_matches(db):
    from reports.demo import seed_demo

    result = seed_demo(projects=5, seed=2)
    assert result["needs"] == 24 and result["experts"] == 8
    assert NeedMatch.objects.exists() and NeedVisit.objects.exists()
    assert Need.objects.filter(status=NeedStatus.SOLVED).exists()
    again = seed_demo(projects=5, seed=2)
    assert again["needs"] == Need.objects.count() == 24


def test_half_year_report_cover_has_the_needs_figures(flow):
    from reports.halfyear import collect, sections

    cover = dict((row[0], row[1]) for row in sections(collect("2026H1"))[0][2])
    assert (cover["本年征集技术需求"], cover["本年通过技术需求走访服务的企业（家）"], cover["需求解决率"]) == (4, 2, "25%")
