"""The "需求对接" section on the dashboard and on a district's page: the numbers of ``needs_report`` (one computation,
``needs.report.need_figures``), each status linking to the 需求台账 rows it counts, a district's page showing its
own needs only, nothing leaking to another district or a society, and queries that do not grow with the needs."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from needs import services
from needs.models import Need, NeedVisit
from needs.report import need_figures, needs_report
from tests import factories

from .conftest import make_need

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def district_page(client, district):
    return client.get(reverse("societies:detail", args=["districts", district.pk]))


@pytest.fixture
def flow(world):
    """This year: in district 1 the world's need (solved), one visited, one collected; in district 2 one not
    solved (its enterprise also served in district 1) and one collected; last year one more in district 2."""
    sec = world["secretariat"]
    firm = factories.partner("光芯科技")
    world["need"].collected_on = date(YEAR, 3, 2)
    world["need"].save()
    n2 = make_need(district=world["d1"], partner=firm, title="封装散热", collected_on=date(YEAR, 3, 1))
    n3 = make_need(district=world["d2"], partner=firm, title="芯片测试", collected_on=date(YEAR, 3, 11),
                   industry=world["chem"], collected_by_district=world["d2"])
    make_need(district=world["d2"], title="薛城新需求", collected_on=date(YEAR, 4, 1), industry=world["chem"],
              collected_by_district=world["d2"])
    make_need(district=world["d2"], title="去年的需求", collected_on=date(YEAR - 1, 6, 1))
    make_need(district=world["d1"], title="市中新需求", collected_on=date(YEAR, 5, 1), industry=world["materials"])
    for need, matched, visited, solved in ((world["need"], date(YEAR, 3, 7), date(YEAR, 3, 20), date(YEAR, 4, 4)),
                                           (n2, date(YEAR, 3, 5), date(YEAR, 3, 9), None),
                                           (n3, date(YEAR, 3, 15), date(YEAR, 3, 16), None)):
        services.assign(need, user=sec, experts=[world["expert"]], on=matched)
        services.record_visit(need, user=sec, held_on=visited, experts=[world["expert"]])
        if solved:
            services.close(need, user=sec, solved=True, satisfaction=5, on=solved)
    services.close(n3, user=sec, solved=False, reason="企业暂缓", on=date(YEAR, 3, 30))
    return world


def _ledger_count(client, link: str) -> int:
    return client.get(link).context["page"].paginator.count


def test_dashboard_section_has_the_needs_report_numbers_for_the_secretariat(client, flow):
    sec = flow["secretariat"]
    client.force_login(sec)
    page = client.get(reverse("reports:dashboard"), {"year": YEAR})
    section = page.context["needs_section"]
    assert section["figures"] == needs_report(year=YEAR, user=sec)
    figures = section["figures"]
    assert figures["needs"] == 5 and figures["enterprises_served"] == 2
    assert figures["by_district"] == {"市中区科协": 3, "薛城区科协": 2}
    html = page.content.decode()
    assert 'id="needs-section"' in html and "需求对接" in html and 'id="chart-needs-industry"' in html
    assert 'data-need-figure="matched_share">60.0%' in html and 'data-need-figure="solved_share">20.0%' in html
    assert 'id="needs-industry-data"' in html and "needs/js/needs_chart" in html and 'id="needs-by-district"' in html
    for row in section["statuses"]:  # each status's count is the number of rows its link shows in the ledger
        assert _ledger_count(client, row["link"]) == row["count"] == figures["by_status"][row["value"]]
        assert row["link"].replace("&", "&amp;") in html
    assert _ledger_count(client, section["link"]) == figures["needs"]
    # each industry and district row links to the ledger rows it counts (needs without an industry: no link)
    for rows, counts in ((section["industries"], figures["by_industry"]), (section["districts"],
                                                                          figures["by_district"])):
        assert [(name, count) for name, count, _link in rows] == sorted(counts.items(), key=lambda i: (-i[1], i[0]))
        for name, count, link in rows:
            if link is not None:
                assert _ledger_count(client, link) == count and link.replace("&", "&amp;") in html
    assert {name for name, _count, link in section["industries"] if link is None} <= {"未分类"}
    assert all(link for _name, _count, link in section["districts"])


def test_dashboard_section_is_cached_with_the_numbers_and_moves_with_a_change(client, flow):
    client.force_login(flow["leader"])
    url = reverse("reports:dashboard")
    assert client.get(url, {"year": YEAR}).context["needs_section"]["figures"]["needs"] == 5
    with CaptureQueriesContext(connection) as captured:
        client.get(url, {"year": YEAR})
    assert not any("needs_need" in query["sql"] for query in captured.captured_queries)  # cached
    make_need(district=flow["d1"], title="又一项需求", collected_on=date(YEAR, 6, 1))
    assert client.get(url, {"year": YEAR}).context["needs_section"]["figures"]["needs"] == 6


def test_dashboard_section_of_a_contact_is_their_own_scope(client, flow):
    for name in ("alice", "bob", "dave"):
        client.force_login(flow[name])
        section = client.get(reverse("reports:dashboard"), {"year": YEAR}).context["needs_section"]
        assert section["figures"] == needs_report(year=YEAR, user=flow[name])
        assert section["figures"]["needs"] == Need.objects.for_user(flow[name]).filter(
            collected_on__year=YEAR).count()
    client.force_login(flow["alice"])
    assert set(client.get(reverse("reports:dashboard"), {"year": YEAR}).context["needs_section"]["figures"][
        "by_district"]) == {"市中区科协"}
    client.force_login(flow["dave"])  # a society with no needs of its own
    page = client.get(reverse("reports:dashboard"), {"year": YEAR})
    assert page.context["needs_section"]["figures"]["needs"] == 0 and "芯片测试" not in page.content.decode()


def test_district_page_shows_its_own_figures_only(client, flow):
    expected = need_figures(Need.objects.filter(district=flow["d1"], collected_on__year=YEAR),
                            NeedVisit.objects.filter(need__district=flow["d1"], held_on__year=YEAR))
    for name in ("alice", "secretariat", "leader"):
        client.force_login(flow[name])
        page = district_page(client, flow["d1"])
        assert page.status_code == 200
        section = next(panel["section"] for panel in page.context["panels"] if "section" in panel)
        assert section["figures"] == expected
        assert section["figures"]["needs"] == 3 and section["figures"]["by_district"] == {"市中区科协": 3}
        assert section["figures"]["enterprises_served"] == 2 and not section["by_district"]
        html = page.content.decode()
        assert 'id="organisation-needs"' in html and "芯片测试" not in html and "薛城" not in html.split(
            'id="organisation-needs"')[1].split("</section>")[0]
        for row in section["statuses"]:
            assert "district={}".format(flow["d1"].pk) in row["link"]
            assert _ledger_count(client, row["link"]) == row["count"]
        assert "echarts.common.min.js" in html and "needs/js/needs_chart" in html


def test_other_district_and_outsiders_do_not_see_a_districts_figures(client, flow):
    for name in ("charlie", "bob", "dave"):
        client.force_login(flow[name])
        assert district_page(client, flow["d1"]).status_code == 404
    client.force_login(flow["charlie"])  # their own page: their district's needs only
    section = next(panel["section"] for panel in district_page(client, flow["d2"]).context["panels"]
                   if "section" in panel)
    assert section["figures"]["needs"] == 2 and set(section["figures"]["by_district"]) == {"薛城区科协"}
    client.logout()
    assert district_page(client, flow["d1"]).status_code in (302, 404)


def test_the_sections_queries_do_not_grow_with_the_needs(client, flow):
    client.force_login(flow["secretariat"])
    counts = []
    for extra in (0, 12):
        for n in range(extra):
            make_need(district=flow["d1"], title="批量需求{}".format(n), collected_on=date(YEAR, 7, 1),
                      industry=flow["chem"] if n % 2 else None)
        with CaptureQueriesContext(connection) as captured:
            assert district_page(client, flow["d1"]).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
