"""Distinct counts over several sources (T3-served, T3-upper-units): an enterprise or an upper-level unit counts once
whether a need visit, an outcome of a list project or an own activity (自主活动) names it; only confirmed activities
count; the drill-down lists every source's rows; the number equals the distinct ids of the rows listed."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import OwnActivity
from needs.models import Need, NeedVisit
from projects.choices import ReviewStatus
from projects.models import ActivityOutcome
from reports.models import TargetDefinition
from reports.targets import RULES, parts_value, target_parts, target_status
from sanlian.access import SYSTEM
from societies.choices import Role, UpperUnitLevel
from tests import factories

from .test_targets import recompute_distinct

pytestmark = pytest.mark.django_db
CONFIRMED, PENDING, REJECTED = ReviewStatus.CONFIRMED, ReviewStatus.PENDING, ReviewStatus.REJECTED
AS_OF = date(2025, 9, 30)
MODELS = {"outcome": ActivityOutcome, "visit": NeedVisit, "activity": OwnActivity}


def visit(partner, district, *, held_on=date(2025, 5, 1), title=None):
    need = Need.objects.create(partner=partner, district=district, title=title or "需求{}".format(Need.objects.count()),
                               description="内容", collected_on=date(2025, 1, 1))
    return NeedVisit.objects.create(need=need, held_on=held_on, person_times=1)


def activity(unit, *, review=CONFIRMED, held_on=date(2025, 6, 1), partners=(), upper_units=(), title="自主活动"):
    key = "district" if unit.__class__.__name__ == "District" else "society"
    made = OwnActivity.objects.create(title=title, held_on=held_on, review=review, **{key: unit})
    made.partners.set(partners)
    made.upper_units.set(upper_units)
    return made


def outcome(project, *, review=CONFIRMED, held_on=date(2025, 5, 1), upper_units=()):
    made = ActivityOutcome.objects.create(project=project, held_on=held_on, title="成效", review=review)
    made.upper_units.set(upper_units)
    return made


@pytest.fixture
def world(targets):
    s1 = factories.society("市老科协")
    d1, d2 = factories.district("滕州市科协"), factories.district("市中区科协")
    p1 = factories.project(society=s1, districts=[d1], year=2025)
    e1, e2, e3, e4 = (factories.partner(name) for name in ("光芯科技", "鲁南机床", "枣庄锂电", "薛城化工"))
    national = factories.upper_unit("中国老科协", level=UpperUnitLevel.NATIONAL)
    provincial = factories.upper_unit("山东省医学会", level=UpperUnitLevel.PROVINCIAL)
    other_provincial = factories.upper_unit("山东省化工学会", level=UpperUnitLevel.PROVINCIAL)
    college = factories.upper_unit("枣庄学院", level=UpperUnitLevel.UNIVERSITY)
    rows = {
        # e1: visited through a need (May) and served by an own activity (June): one enterprise
        "visit": visit(e1, d1),
        "both": activity(d1, partners=[e1, e2], upper_units=[national, college]),  # e2 only by an activity
        "pending": activity(d1, review=PENDING, partners=[e3], upper_units=[other_provincial]),
        "rejected": activity(d1, review=REJECTED, partners=[e4]),
        "other_district": activity(d2, held_on=date(2025, 7, 1), partners=[e2], upper_units=[provincial]),
        "late": activity(d1, held_on=date(2025, 10, 5), partners=[e4]),  # after as_of
        "no_partner": activity(d1, title="没有企业"),  # names no enterprise: not a row of T3-served
        # the national unit took part in a list project's outcome and in an own activity: one unit
        "outcome": outcome(p1, upper_units=[national, college]),
        "pending_outcome": outcome(p1, review=PENDING, upper_units=[other_provincial]),
    }
    return {"s1": s1, "d1": d1, "d2": d2, "e": (e1, e2, e3, e4), "national": national, "provincial": provincial,
            "other_provincial": other_provincial, **rows}


def statuses(user=SYSTEM, **options):
    return {status.code: status for status in target_status(year=2025, user=user, as_of=AS_OF, **options)}


def test_an_enterprise_counts_once_across_visits_and_activities(world):
    served = statuses()["T3-served"]
    assert served.value == 2  # e1 (visit and activity) once, e2 (two activities) once; pending, rejected, late not
    assert served.record_ids == [world["visit"].pk]
    assert served.also_ids == {"activity": sorted([world["both"].pk, world["other_district"].pk])}
    assert recompute_distinct(RULES["enterprises_served"], MODELS, served) == served.value


def test_an_enterprise_served_only_by_an_activity_counts(world):
    NeedVisit.objects.all().delete()
    served = statuses()["T3-served"]
    assert (served.value, served.record_ids) == (2, [])  # e1 and e2, named by confirmed own activities only


def test_an_unconfirmed_activity_does_not_count_unless_asked(world):
    assert statuses()["T3-served"].value == 2
    unconfirmed = statuses(include_unconfirmed=True)["T3-served"]
    assert unconfirmed.value == 3  # e3 of the pending activity; the rejected one never counts
    assert world["pending"].pk in unconfirmed.also_ids["activity"]
    assert world["rejected"].pk not in unconfirmed.also_ids["activity"]
    world["pending"].review = CONFIRMED
    world["pending"].save()
    assert statuses()["T3-served"].value == 3


def test_upper_units_count_once_across_outcomes_and_activities(world):
    upper = statuses()["T3-upper-units"]
    assert upper.value == 2  # national (outcome and activity) once, provincial (activity); the university not
    assert upper.record_ids == [world["outcome"].pk]
    assert upper.also_ids == {"activity": sorted([world["both"].pk, world["other_district"].pk])}
    assert recompute_distinct(RULES["outcome_upper_units"], MODELS, upper) == upper.value
    unconfirmed = statuses(include_unconfirmed=True)["T3-upper-units"]
    assert unconfirmed.value == 3  # the other provincial unit, of a pending outcome and a pending activity, once
    assert recompute_distinct(RULES["outcome_upper_units"], MODELS, unconfirmed) == 3


def test_a_unit_named_only_by_an_activity_counts(world):
    ActivityOutcome.objects.all().delete()
    upper = statuses()["T3-upper-units"]
    assert (upper.value, upper.record_ids) == (2, [])


def test_trend_counts_each_month_distinct(world):
    """As for the other distinct counts, a month's figure is the number of distinct things named that month."""
    served = statuses(with_trend=True, with_ids=False)["T3-served"]
    assert served.value == 2
    assert served.trend == [("2025-05", 1), ("2025-06", 2), ("2025-07", 1)]
    upper = statuses(with_trend=True, with_ids=False)["T3-upper-units"]
    assert upper.trend == [("2025-05", 1), ("2025-06", 1), ("2025-07", 1)] and upper.value == 2


@pytest.mark.parametrize("who", ["system", "district1", "district2", "society"])
@pytest.mark.parametrize("unconfirmed", [False, True])
def test_scoped_values_equal_the_drilldowns_parts(world, who, unconfirmed):
    """Through the sources' ``for_user``: each user counts what they may see; the grouped value (with or without the
    trend) equals the value of the parts the drill-down lists."""
    user = {"system": SYSTEM, "district1": factories.user(Role.DISTRICT, district=world["d1"]),
            "district2": factories.user(Role.DISTRICT, district=world["d2"]),
            "society": factories.user(Role.SOCIETY, society=world["s1"])}[who]
    options = {"user": user, "include_unconfirmed": unconfirmed}
    plain, trended = statuses(**options), statuses(with_trend=True, with_ids=False, **options)
    for code in ("T3-served", "T3-upper-units"):
        target = TargetDefinition.objects.get(code=code)
        parts = target_parts(target, year=2025, as_of=AS_OF, **options)
        expected = parts_value(target, parts)
        assert plain[code].value == trended[code].value == expected, code
        assert recompute_distinct(RULES[target.rule], MODELS, plain[code]) == expected, code
    if who == "district2":
        assert plain["T3-served"].value == 1 and plain["T3-served"].also_ids == {
            "activity": [world["other_district"].pk]}


def test_drilldown_lists_both_sources(client, world):
    """A past year's page counts to the year's end: the October activity (e4) counts there."""
    client.force_login(factories.user(Role.SECRETARIAT))
    page = client.get(reverse("reports:target", args=["T3-served"]), {"year": "2025"})
    assert page.status_code == 200 and page.context["value"] == 3
    assert [row.pk for row in page.context["page"].object_list] == [world["visit"].pk]
    listed = [row.pk for row in page.context["activities"]]
    assert listed == [world["late"].pk, world["other_district"].pk, world["both"].pk]
    html = page.content.decode()
    assert world["visit"].need.title in html and world["both"].get_absolute_url() in html
    assert "光芯科技、鲁南机床" in html  # the enterprises each activity counts
    assert "each enterprise once" not in html and "每家企业只计一次" in html  # the rule's label, in Chinese
    page = client.get(reverse("reports:target", args=["T3-upper-units"]), {"year": "2025"})
    assert page.status_code == 200 and page.context["value"] == 2
    assert [row.pk for row in page.context["page"].object_list] == [world["outcome"].pk]
    assert [row.pk for row in page.context["activities"]] == [world["other_district"].pk, world["both"].pk]
    counted = {row.pk: [unit.name for unit in row.counted] for row in page.context["activities"]}
    assert counted[world["both"].pk] == ["中国老科协"]  # the university took part but is not counted


def test_dashboard_explains_that_both_sources_count(client, world):
    client.force_login(factories.user(Role.LEADER))
    html = client.get(reverse("reports:dashboard"), {"year": "2025"}).content.decode()
    assert "技术需求走访和自主活动服务的企业均计入，每家企业只计一次" in html
    assert "重点项目活动和自主活动均计入，每家单位只计一次" in html


def test_drilldown_scoped_and_unconfirmed(client, world):
    client.force_login(factories.user(Role.DISTRICT, district=world["d2"]))
    page = client.get(reverse("reports:target", args=["T3-served"]), {"year": "2025"})
    assert page.status_code == 200 and page.context["value"] == 1
    assert [row.pk for row in page.context["activities"]] == [world["other_district"].pk]
    client.force_login(factories.user(Role.SECRETARIAT))
    page = client.get(reverse("reports:target", args=["T3-served"]), {"year": "2025", "unconfirmed": "1"})
    assert page.context["value"] == 4 and world["pending"].pk in [row.pk for row in page.context["activities"]]


def _queries(**options) -> int:
    with CaptureQueriesContext(connection) as captured:
        target_status(year=2025, user=SYSTEM, as_of=AS_OF, **options)
    return len(captured)


def test_queries_do_not_grow_with_the_data(world):
    small = [_queries(with_ids=False, with_trend=True), _queries(with_ids=False), _queries()]
    d1, national = world["d1"], world["national"]
    for number in range(40):
        partner = factories.partner("更多企业{}".format(number))
        unit = factories.upper_unit("山东省更多学会{}".format(number), level=UpperUnitLevel.PROVINCIAL)
        visit(partner, d1, held_on=date(2025, 1 + number % 9, 1), title="更多需求{}".format(number))
        activity(d1, held_on=date(2025, 1 + number % 9, 2), partners=[partner, world["e"][0]],
                 upper_units=[unit, national])
    assert [_queries(with_ids=False, with_trend=True), _queries(with_ids=False), _queries()] == small
    status = statuses(with_trend=True)
    assert status["T3-served"].value == 42 and status["T3-upper-units"].value == 42
    assert recompute_distinct(RULES["enterprises_served"], MODELS, status["T3-served"]) == 42
