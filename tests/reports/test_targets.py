"""Targets counted from records: each rule's value equals what its record_ids give; confirmation and scope."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from meetings.choices import MeetingStatus
from meetings.models import JointMeeting
from needs.models import Need, NeedVisit
from projects.choices import ReviewStatus
from projects.models import ActivityOutcome
from reports.choices import Pace
from reports.models import OrganisationRecord
from reports.models import TargetDefinition
from reports.targets import RULES, pace_of, target_status
from sanlian.access import SYSTEM
from societies.choices import Role, UpperUnitLevel
from societies.models import Industry
from tests import factories

pytestmark = pytest.mark.django_db
CONFIRMED, PENDING, REJECTED = ReviewStatus.CONFIRMED, ReviewStatus.PENDING, ReviewStatus.REJECTED
AS_OF = date(2025, 9, 30)


def outcome(project, *, held_on=date(2025, 5, 1), review=CONFIRMED, kind="popularisation", experts=0, served=0,
            participants=10, industries=(), upper_units=()):
    made = ActivityOutcome.objects.create(project=project, held_on=held_on, title="活动", kind=kind, review=review,
                                          expert_person_times=experts, served_count=served, participants=participants)
    made.industries.set(industries)
    made.upper_units.set(upper_units)
    return made


def record(kind, *, happened_on=date(2025, 3, 1), review=CONFIRMED, count=1, society=None, district=None):
    return OrganisationRecord.objects.create(kind=kind, happened_on=happened_on, title="记录", review=review,
                                             count=count, society=society, district=district)


@pytest.fixture
def world(targets):
    s1, s2 = factories.society("市老科协"), factories.society("市医学会")
    d1, d2 = factories.district("滕州市科协"), factories.district("市中区科协")
    p1 = factories.project(society=s1, districts=[d1], year=2025)
    p2 = factories.project(society=s2, districts=[d2], year=2025)
    industry = Industry.objects.create(name="新材料")
    national = factories.upper_unit("中国老科协", level=UpperUnitLevel.NATIONAL)
    provincial = factories.upper_unit("山东省医学会", level=UpperUnitLevel.PROVINCIAL)
    college = factories.upper_unit("枣庄学院", level=UpperUnitLevel.UNIVERSITY)
    outcome(p1, experts=5, served=2, industries=[industry], upper_units=[national, college])
    outcome(p1, kind="innovation", experts=3, served=1, upper_units=[national, provincial])
    outcome(p2, kind="training", experts=7, industries=[industry])  # not a joint activity kind
    outcome(p2, experts=100, served=50, review=PENDING, industries=[industry], upper_units=[provincial])
    outcome(p2, experts=100, served=50, review=REJECTED)
    outcome(p1, held_on=date(2024, 12, 31), served=9)  # another year
    outcome(p1, held_on=date(2025, 10, 5), served=9)  # after as_of
    record("society_founded", society=s1)
    record("society_founded", happened_on=date(2024, 6, 1), society=s2)  # plan period, earlier year
    record("society_founded", happened_on=date(2024, 1, 1), society=s2)  # before the plan started
    record("member_intake", count=120, society=s1)
    record("member_intake", count=80, society=s2, review=PENDING)
    record("district_org", district=d1)
    record("district_org", district=d1, happened_on=date(2025, 4, 1))
    record("district_org", district=d2, review=REJECTED)
    # T3-served: distinct enterprises of visited needs (e1 twice counts once; e3 after as_of; one visit in 2024)
    e1, e2, e3 = factories.partner("企业一"), factories.partner("企业二"), factories.partner("企业三")
    for partner, district, title, held_on in ((e1, d1, "需求1", date(2025, 5, 1)), (e1, d1, "需求2", date(2025, 6, 1)),
                                              (e2, d2, "需求3", date(2025, 5, 2)), (e3, d2, "需求4", date(2025, 10, 5)),
                                              (e3, d2, "需求5", date(2024, 5, 5))):
        need = Need.objects.create(partner=partner, district=district, title=title, description="内容",
                                   collected_on=date(2024, 1, 1))
        NeedVisit.objects.create(need=need, held_on=held_on, person_times=1)
    JointMeeting.objects.create(half="2025H2", held_on=date(2025, 7, 10), status=MeetingStatus.HELD)
    JointMeeting.objects.create(half="2025H2", held_on=date(2025, 8, 10))  # planned, not held: not counted
    return {"s1": s1, "s2": s2, "d1": d1, "d2": d2, "p1": p1, "p2": p2}


def by_code(statuses):
    return {status.code: status for status in statuses}


def test_target_values_from_confirmed_records(world):
    status = by_code(target_status(year=2025, user=SYSTEM, as_of=AS_OF))
    assert status["T1-societies"].value == 2
    assert status["T1-members"].value == 120
    assert status["T1-district-orgs"].value == 1
    assert status["T3-upper-units"].value == 2  # national + provincial, the university not counted, distinct
    assert status["T3-expert-services"].value == 5 + 7  # only activities serving a "6+3" industry
    assert status["T3-served"].value == 2  # distinct enterprises, each once
    assert status["T4-joint-activities"].value == 2
    assert status["M9-meetings"].value == 1 and status["M9-meetings"].period_start == date(2025, 7, 1)


def test_target_values_including_unconfirmed(world):
    status = by_code(target_status(year=2025, user=SYSTEM, as_of=AS_OF, include_unconfirmed=True))
    assert status["T1-members"].value == 200
    assert status["T3-served"].value == 2  # visits need no confirmation
    assert status["T1-district-orgs"].value == 1  # the rejected one never counts


@pytest.mark.parametrize("unconfirmed", [False, True])
def test_each_rule_value_is_computed_from_exactly_its_record_ids(world, unconfirmed):
    """For every counting rule, recomputing the value from the rows listed in record_ids (and ``also_ids``, the
    further sources' rows) gives the value."""
    from activities.models import OwnActivity, Venue, VenueKind

    TargetDefinition.objects.create(code="new-venues", name="新增企业科协", rule="venues_new",
                                    kinds="enterprise_association", threshold=3)
    Venue.objects.create(name="企业科协", kind=VenueKind.objects.get(code="enterprise_association"),
                         founded_on=date(2025, 3, 1))
    OwnActivity.objects.create(title="自主活动", district=world["d1"], held_on=date(2025, 6, 1), served_count=4,
                               review=CONFIRMED)
    statuses = target_status(year=2025, user=SYSTEM, as_of=AS_OF, include_unconfirmed=unconfirmed)
    rules_seen = set()
    models = {"outcome": ActivityOutcome, "record": OrganisationRecord, "meeting": JointMeeting,
              "visit": NeedVisit, "activity": OwnActivity, "venue": Venue}
    for status in statuses:
        target = TargetDefinition.objects.get(code=status.code)
        rule = RULES[target.rule]
        if rule.ids:  # a distinct count over several sources: the distinct ids the listed rows name, each once
            assert recompute_distinct(rule, models, status) == status.value, status.code
            rules_seen.add(target.rule)
            continue
        recomputed = models[rule.source].objects.filter(pk__in=status.record_ids).aggregate(v=rule.value)["v"] or 0
        for source, ids in status.also_ids.items():
            recomputed += models[source].objects.filter(pk__in=ids).aggregate(v=rule.value)["v"] or 0
        assert recomputed == status.value, status.code
        rules_seen.add(target.rule)
    assert rules_seen == set(RULES)


def recompute_distinct(rule, models, status) -> int:
    """The number of distinct things (along ``rule.ids``, meeting ``rule.id_filter``) the rows of ``record_ids``
    and ``also_ids`` name, computed in Python row by row."""
    found = set()
    for source, ids in [(rule.source, status.record_ids), *status.also_ids.items()]:
        path = rule.ids[source]
        for row in models[source].objects.filter(pk__in=ids):
            if "__" in path:  # a foreign key path, e.g. need__partner
                first, second = path.split("__")
                things = [getattr(getattr(row, first), second)]
            else:
                things = getattr(row, path).filter(**(rule.id_filter or {}))
            found.update(thing.pk for thing in things)
    return len(found)


def test_snapshot_counts_only_rows_up_to_as_of(world):
    before = by_code(target_status(year=2025, user=SYSTEM, as_of=date(2025, 4, 30)))
    assert before["T3-served"].value == 0 and before["T1-members"].value == 120
    after = by_code(target_status(year=2025, user=SYSTEM, as_of=date(2025, 12, 31)))
    assert after["T3-served"].value == 3


def test_confirming_an_outcome_moves_the_numbers(world):
    pending = ActivityOutcome.objects.get(review=PENDING)
    pending.review = CONFIRMED
    pending.save()
    status = by_code(target_status(year=2025, user=SYSTEM, as_of=AS_OF))
    assert status["T3-served"].value == 2 and status["T3-expert-services"].value == 112


def test_targets_scoped_to_a_district_and_a_society(world):
    district = factories.user(Role.DISTRICT, district=world["d1"])
    status = by_code(target_status(year=2025, as_of=AS_OF, user=district))
    assert status["T3-served"].value == 1 and status["T1-members"].value == 0
    assert status["T1-district-orgs"].value == 1
    society = factories.user(Role.SOCIETY, society=world["s2"])
    status = by_code(target_status(year=2025, as_of=AS_OF, user=society))
    assert status["T3-expert-services"].value == 7 and status["T1-societies"].value == 1


def test_shares_and_pace(world):
    status = by_code(target_status(year=2025, user=SYSTEM, as_of=AS_OF))["T4-joint-activities"]
    assert status.share_done == 0.1 and status.share_elapsed == round(273 / 365, 4)
    assert status.pace == Pace.AT_RISK
    assert pace_of(1.0, 0.2) == Pace.AHEAD and pace_of(0.5, 0.55) == Pace.ON_TRACK
    assert pace_of(0.3, 0.55) == Pace.BEHIND and pace_of(0.2, 0.55) == Pace.AT_RISK


def test_threshold_edited_by_the_secretariat_changes_share(world):
    TargetDefinition.objects.filter(code="T4-joint-activities").update(threshold=2)
    assert by_code(target_status(year=2025, user=SYSTEM, as_of=AS_OF))["T4-joint-activities"].pace == Pace.AHEAD


def test_target_added_without_code_from_a_rule(world):
    TargetDefinition.objects.create(code="X-trainings", name="培训活动", rule="outcome_count", kinds="training",
                                    threshold=3)
    assert by_code(target_status(year=2025, user=SYSTEM, as_of=AS_OF))["X-trainings"].value == 1


def test_target_status_command_json(world, capsys):
    call_command("target_status", "--year", "2025", "--as-of", "2025-09-30", "--json")
    data = json.loads(capsys.readouterr().out)
    assert [row["code"] for row in data][:2] == ["T1-societies", "T1-members"]
    keys = {"code", "name", "value", "threshold", "period_start", "period_end", "share_done", "share_elapsed",
            "pace", "record_ids"}
    assert all(set(row) == keys for row in data)
    members = next(row for row in data if row["code"] == "T1-members")
    assert members["value"] == 120 and len(members["record_ids"]) == 1 and members["period_start"] == "2024-04-29"


@pytest.mark.parametrize("args", [["--year", "abc"], ["--year", "1999"], ["--year", "2025", "--as-of", "2025-02-30"]])
def test_target_status_command_bad_input(world, args):
    from django.core.management.base import CommandError

    with pytest.raises((CommandError, SystemExit)):
        call_command("target_status", *args)


def test_society_ranking_shows_contributions(world):
    from reports.dashboard import society_ranking

    OrganisationRecord.objects.create(kind="brand_municipal", happened_on=date(2025, 4, 1), title="品牌",
                                      society=world["s2"], review=CONFIRMED)
    rows = {row["name"]: row for row in society_ranking(year=2025, user=SYSTEM, as_of=AS_OF)}
    assert (rows["市老科协"]["members"], rows["市老科协"]["brands"], rows["市老科协"]["outcomes"]) == (120, 0, 2)
    assert (rows["市医学会"]["members"], rows["市医学会"]["brands"], rows["市医学会"]["served"]) == (0, 1, 0)


@pytest.mark.parametrize("unconfirmed", [False, True])
@pytest.mark.parametrize("who", ["system", "society", "district"])
def test_grouped_values_and_trends_equal_each_targets_own_rows(world, who, unconfirmed):
    """The values come from one query per source; each must still be what its own rows add up to, month by month."""
    from django.db.models.functions import TruncMonth

    from reports.targets import target_rows

    user = {"system": SYSTEM, "society": factories.user(Role.SOCIETY, society=world["s1"]),
            "district": factories.user(Role.DISTRICT, district=world["d2"])}[who]
    options = {"year": 2025, "as_of": AS_OF, "user": user, "include_unconfirmed": unconfirmed}
    with_trend = by_code(target_status(with_trend=True, with_ids=False, **options))
    plain = by_code(target_status(**options))
    for target in TargetDefinition.objects.filter(is_active=True):
        rule = RULES[target.rule]
        rows = target_rows(target, **options)
        months = rows.annotate(month=TruncMonth(rule.date_field)).values("month").annotate(v=rule.value).order_by(
            "month")
        expected = rows.aggregate(v=rule.value)["v"] or 0
        assert (plain[target.code].value, with_trend[target.code].value) == (expected, expected), target.code
        assert with_trend[target.code].trend == [(row["month"].strftime("%Y-%m"), row["v"]) for row in months]


def test_target_status_queries_do_not_grow_with_the_number_of_targets(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            target_status(year=2025, user=SYSTEM, as_of=AS_OF, with_ids=False, with_trend=True)
        return len(captured)

    before = queries()
    for number in range(3):
        TargetDefinition.objects.create(code="X-more-{}".format(number), name="更多", rule="outcome_count",
                                        kinds="forum", threshold=5, period="year")
    assert queries() == before
