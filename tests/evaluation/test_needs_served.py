"""The “needs served” indicator rule (issue 17): distinct enterprises whose technology needs were visited, per
district (enterprises in it) and per society (its experts' visits, or needs it collected); registered for the
secretariat to choose, the default scheme still weighing 100."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.choices import UnitKind
from evaluation.rules import RULES
from evaluation.scoring import default_round
from needs.models import Need, NeedVisit
from societies.models import Expert
from tests import factories

pytestmark = pytest.mark.django_db
YEAR = 2025


def need(partner, district, *, title, society=None):
    return Need.objects.create(partner=partner, district=district, title=title, description="需求",
                               collected_on=date(YEAR, 2, 1), collected_by_society=society)


def visit(need_, *, held_on=date(YEAR, 5, 1), experts=()):
    made = NeedVisit.objects.create(need=need_, held_on=held_on, person_times=len(experts))
    made.experts.set(experts)
    return made


@pytest.fixture
def visits(db):
    d1, d2 = factories.district("市中区科协"), factories.district("薛城区科协")
    s1, s2 = factories.society("市机械工程学会"), factories.society("市医学会")
    e1 = Expert.objects.create(name="张工", organisation="枣庄学院", society=s1)
    e2 = Expert.objects.create(name="李工", organisation="枣庄学院", society=s2)
    loose = Expert.objects.create(name="王工", organisation="枣庄学院")
    a, b, c = factories.partner("甲企业"), factories.partner("乙企业"), factories.partner("丙企业")
    a1, a2 = need(a, d1, title="涂覆工艺"), need(a, d1, title="检测设备", society=s2)
    b1 = need(b, d1, title="配方")
    c1 = need(c, d2, title="节能")
    visit(a1, experts=[e1])
    visit(a1, held_on=date(YEAR, 6, 1), experts=[e1])  # the same enterprise again: counted once
    visit(a2, experts=[loose])  # collected by s2
    visit(b1, experts=[e1, e2])
    visit(c1, experts=[e2])
    visit(c1, held_on=date(YEAR - 1, 12, 1), experts=[e1])  # outside the period
    return {"d1": d1, "d2": d2, "s1": s1, "s2": s2}


def compute(kind):
    return RULES["needs_served"].compute(kind, date(YEAR, 1, 1), date(YEAR, 12, 31), today=date(YEAR, 12, 31))


@pytest.mark.parametrize("kind", [UnitKind.DISTRICT, UnitKind.SOCIETY])
def test_value_equals_an_aggregate_over_its_record_ids(visits, kind):
    values = compute(kind)
    assert values
    for unit, (value, ids) in values.items():
        rows = NeedVisit.objects.filter(pk__in=ids)
        assert rows.count() == len(ids)
        assert value == rows.values("need__partner").distinct().count()
        assert all(YEAR == day.year for day in rows.values_list("held_on", flat=True))


def test_distinct_enterprises_per_unit(visits):
    districts = compute(UnitKind.DISTRICT)
    assert {unit: value for unit, (value, _ids) in districts.items()} == {visits["d1"].pk: 2, visits["d2"].pk: 1}
    assert len(districts[visits["d1"].pk][1]) == 4  # four visits, two enterprises
    societies = compute(UnitKind.SOCIETY)
    # s1: its expert visited 甲 (twice) and 乙; s2: its expert visited 乙 and 丙, and it collected 甲's second need
    assert {unit: value for unit, (value, _ids) in societies.items()} == {visits["s1"].pk: 2, visits["s2"].pk: 3}


def test_queries_do_not_grow_with_the_visits(visits):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            compute(UnitKind.SOCIETY)
            compute(UnitKind.DISTRICT)
        return len(queries)

    small = count()
    expert = Expert.objects.get(name="张工")
    for number in range(10):
        visit(need(factories.partner(), factories.district(), title="需求{}".format(number)), experts=[expert])
    assert count() == small


def test_registered_for_the_secretariat_and_the_default_scheme_still_weighs_100():
    rule = RULES["needs_served"]
    assert rule.model == "needs.NeedVisit" and str(rule.label)
    _round, indicators = default_round(year=YEAR)
    assert sum(item.weight for item in indicators) == 100
