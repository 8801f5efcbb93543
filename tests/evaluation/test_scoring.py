"""The indicator rules and the scores: each value is an aggregate over its record_ids, points add up to the score,
ranks follow scores with ties shared, the city association is never ranked, and queries do not grow with units."""

import json
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django.test.utils import CaptureQueriesContext

from evaluation.choices import Half, UnitKind
from evaluation.models import Mark
from evaluation.rules import RULES
from evaluation.scoring import UnitScore, compute, create_round, default_round, rank_scores, set_mark
from meetings.models import Invitation
from projects.models import ActivityOutcome, Project
from reports.models import OrganisationRecord
from tests import factories

from .conftest import YEAR

pytestmark = pytest.mark.django_db
TODAY = date(YEAR, 12, 31)


def values(code, kind=UnitKind.SOCIETY, **options):
    options.setdefault("today", TODAY)
    return RULES[code].compute(kind, date(YEAR, 1, 1), date(YEAR, 12, 31), **options)


def test_each_rule_equals_an_aggregate_over_its_record_ids(world):
    s1, s2, d1, d2 = world["s1"], world["s2"], world["d1"], world["d2"]
    for unit, (value, ids) in values("outcome_count").items():
        assert value == len(ids) == ActivityOutcome.objects.filter(pk__in=ids).count()
    assert values("outcome_count")[s1.pk][0] == 2 and values("outcome_count")[s2.pk][0] == 1
    participants = values("outcome_participants")
    for unit, (value, ids) in participants.items():
        assert value == sum(ActivityOutcome.objects.filter(pk__in=ids).values_list("participants", flat=True))
    assert participants[s1.pk][0] == 150 and participants[s2.pk][0] == 30  # pending and last year's not counted
    contribution = values("target_contribution", UnitKind.DISTRICT)
    assert contribution[d1.pk][0] == 8 and contribution[d2.pk][0] == 4
    members = values("new_members")
    assert members[s1.pk][0] == sum(OrganisationRecord.objects.filter(pk__in=members[s1.pk][1])
                                    .values_list("count", flat=True)) == 120
    assert members[s2.pk][0] == 40
    assert values("brands")[s2.pk][0] == 1 and values("brands", UnitKind.DISTRICT)[d1.pk][0] == 1
    attendance = values("meeting_attendance")
    assert attendance[s1.pk][0] == 100.0 and attendance[s2.pk][0] == 0.0
    assert Invitation.objects.filter(pk__in=attendance[s2.pk][1]).count() == 1
    assert values("meeting_attendance", UnitKind.DISTRICT)[d1.pk][0] == 100.0
    assert values("decisions_on_time")[s1.pk] == (0.0, list(world["s1"].decisions.values_list("pk", flat=True)))
    on_time = values("projects_on_time")
    p1, p2, p3, p4 = world["projects"]
    assert on_time[s1.pk] == (0.0, sorted([p1.pk, p2.pk]))  # p1 marked done after its due date, p2 not done
    assert on_time[s2.pk] == (0.0, [p4.pk])  # p3 cancelled: not counted
    regular = values("update_regularity")
    # p1 due in May: 5 months expected, updates in 2 months; p2 due in June: 6 months, none → 2 / 11
    assert regular[s1.pk][0] == round(100 * 2 / 11, 2) and len(regular[s1.pk][1]) == 3


def test_projects_done_before_due_count_as_on_time(world):
    project = factories.project(society=world["s1"], year=YEAR, due_start=date(YEAR, 11, 1),
                                due_end=date(YEAR, 11, 30))
    project.status = "done"
    project.save()
    Project.history.model.objects.filter(id=project.pk, status="done").update(
        history_date=datetime(YEAR, 11, 20, 9, tzinfo=timezone.get_current_timezone()))
    share = values("projects_on_time")
    assert share[world["s1"].pk][0] == round(100 / 3, 2)


def test_points_add_up_to_the_score_ranks_and_grades(world):
    round_ = create_round(name="", year=YEAR, half=Half.YEAR, evaluated="both", user=world["secretariat"])
    set_mark(round_, kind=UnitKind.SOCIETY, unit_id=world["s2"].pk, points=8, comment="工作扎实", user=None)
    scores = compute(round_, today=TODAY)
    assert {item.unit for item in scores} == {"市老科协", "市医学会", "滕州市科协", "市中区科协"}  # no city
    for item in scores:
        assert item.score == round(sum(part.points for part in item.indicators), 2)
        assert item.grade == round_.grade_for(item.score)
        assert sum(part.weight for part in item.indicators) == 100
    s2 = next(item for item in scores if item.unit == "市医学会")
    mark = next(part for part in s2.indicators if part.code == "secretariat-mark")
    assert (mark.value, mark.points, mark.record_ids) == (8.0, 8.0, [Mark.objects.get().pk])
    activities = next(part for part in s2.indicators if part.code == "activities")
    assert activities.points == 7.5  # share of the best (1 of 2) × weight 15
    assert [item.rank for item in scores if item.kind == UnitKind.SOCIETY] == [1, 2]


def test_ties_share_a_rank():
    scores = [UnitScore("甲", "society", 1, 80), UnitScore("乙", "society", 2, 90), UnitScore("丙", "society", 3, 80),
              UnitScore("丁", "society", 4, 70)]
    rank_scores(scores)
    assert [(item.unit, item.rank) for item in scores] == [("乙", 1), ("丙", 2), ("甲", 2), ("丁", 4)]


def test_mark_needs_a_comment_and_stays_within_the_weight(world):
    round_ = create_round(name="", year=YEAR, half=Half.YEAR, evaluated="both", user=None)
    with pytest.raises(Exception, match="评语"):
        set_mark(round_, kind=UnitKind.SOCIETY, unit_id=world["s1"].pk, points=5, comment=" ", user=None)
    with pytest.raises(Exception, match="0"):
        set_mark(round_, kind=UnitKind.SOCIETY, unit_id=world["s1"].pk, points=11, comment="好", user=None)


def test_command_json_contract(world, capsys):
    round_ = create_round(name="", year=YEAR, half=Half.YEAR, evaluated="societies", user=None)
    call_command("evaluate", "--round", str(round_.pk), "--json")
    result = json.loads(capsys.readouterr().out)
    assert [row["unit"] for row in result] == [row["unit"] for row in sorted(result, key=lambda r: r["rank"])]
    for row in result:
        assert set(row) == {"unit", "kind", "score", "rank", "grade", "indicators"}
        assert row["score"] == round(sum(item["points"] for item in row["indicators"]), 2)
        assert set(row["indicators"][0]) == {"code", "name", "weight", "value", "points", "record_ids"}
    call_command("evaluate", "--year", str(YEAR), "--default", "--json")
    assert len(json.loads(capsys.readouterr().out)) == 4


def test_command_refuses_unknown_round_and_bad_weights(world):
    with pytest.raises(CommandError, match="没有"):
        call_command("evaluate", "--round", "999")
    round_ = create_round(name="", year=YEAR, half=Half.YEAR, evaluated="both", user=None)
    round_.indicators.filter(code="brands").update(weight=7)
    with pytest.raises(CommandError, match="102"):
        call_command("evaluate", "--round", str(round_.pk))


def test_the_shipped_default_scheme_weighs_100():
    round_, indicators = default_round(year=YEAR)
    assert sum(item.weight for item in indicators) == 100 and all(item.rule in RULES for item in indicators)


def test_queries_do_not_grow_with_the_units(world):
    round_ = create_round(name="", year=YEAR, half=Half.YEAR, evaluated="both", user=None)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            compute(round_, today=TODAY)
        return len(queries)

    small = count()
    for number in range(12):
        society, district = factories.society(), factories.district()
        project = factories.project(society=society, districts=[district], year=YEAR)
        ActivityOutcome.objects.create(project=project, held_on=date(YEAR, 4, 1), title="活动", review="confirmed")
    assert count() == small
