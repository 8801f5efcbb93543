"""The indicator rules: a registry of counting rules over confirmed data, each giving, for one kind of unit and
a period, every unit's value and the ids of the rows the value is computed from.

A rule runs a fixed number of queries whatever the number of units (one pass over the rows of the period, grouped
by unit), so a round costs the same queries for 10 units or 200. More rules are
added with ``@rule`` when their data lands; a round's indicator names a rule by code.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.choices import Attendance, DecisionStatus, MeetingStatus
from meetings.models import Decision, Invitation
from needs.models import NeedVisit
from projects.choices import ProjectStatus, ReviewStatus
from projects.models import ActivityOutcome, Instruction, ProgressUpdate, Project
from reports.choices import RecordKind
from reports.models import OrganisationRecord

from .choices import UnitKind

Values = dict[int, tuple[float, list[int]]]  # unit id → (value, ids of the rows counted)


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    explanation: str
    model: str  # "app_label.Model" of the rows in record_ids (the drill-down)
    compute: Callable[..., Values]


RULES: dict[str, Rule] = {}


def rule(code: str, label, explanation, model: str):
    def register(function):
        RULES[code] = Rule(code, label, explanation, model, function)
        return function
    return register


def _project_unit(kind: str, prefix: str = "") -> str:
    return prefix + ("society_id" if kind == UnitKind.SOCIETY else "district_links__district_id")


def _owner(kind: str) -> str:
    return "society_id" if kind == UnitKind.SOCIETY else "district_id"


def _until(end: date, today: date | None) -> date:
    return min(end, today or timezone.localdate())


def _first_done(history_model, status_done) -> Subquery:
    """When a row first reached the done status (from its history)."""
    return Subquery(history_model.objects.filter(id=OuterRef("pk"), status=status_done)
                    .order_by("history_date").values("history_date")[:1])


def _share(rows) -> Values:
    """rows of (unit, id, counted): value = percent of the unit's rows counted (two decimals)."""
    totals, counted, ids = defaultdict(int), defaultdict(int), defaultdict(list)
    for unit, pk, ok in rows:
        if unit is None:
            continue
        totals[unit] += 1
        counted[unit] += bool(ok)
        ids[unit].append(pk)
    return {unit: (round(100 * counted[unit] / totals[unit], 2), sorted(ids[unit])) for unit in totals}


def _sum(rows) -> Values:
    """rows of (unit, id, amount): value = sum of the amounts."""
    values, ids = defaultdict(int), defaultdict(list)
    for unit, pk, amount in rows:
        if unit is None:
            continue
        values[unit] += amount or 0
        ids[unit].append(pk)
    return {unit: (values[unit], sorted(ids[unit])) for unit in values}


def _on_time(done_at, deadline) -> bool:
    return done_at is not None and (deadline is None or timezone.localtime(done_at).date() <= deadline)


@rule("projects_on_time", _("Key projects done on time"),
      _("Share (%) of the unit's projects due in the period (up to today), not cancelled, that were marked done "
        "by their due date."), "projects.Project")
def projects_on_time(kind: str, start: date, end: date, *, today=None, **_options) -> Values:
    rows = (Project.objects.filter(due_end__gte=start, due_end__lte=_until(end, today))
            .exclude(status=ProjectStatus.CANCELLED)
            .annotate(done_at=_first_done(Project.history.model, ProjectStatus.DONE))
            .values_list(_project_unit(kind), "pk", "status", "due_end", "done_at", "updated_at"))
    return _share((unit, pk, status == ProjectStatus.DONE and _on_time(done_at or updated, due))
                  for unit, pk, status, due, done_at, updated in rows)


def _months(first: date, last: date) -> int:
    return max((last.year - first.year) * 12 + last.month - first.month + 1, 0)


@rule("update_regularity", _("Regular progress updates"),
      _("Share (%) of the months each running project of the unit had at least one progress update, from the start "
        "of the period to the project's due date (or the end of the period, or today)."), "projects.ProgressUpdate")
def update_regularity(kind: str, start: date, end: date, *, today=None, **_options) -> Values:
    until = _until(end, today)
    projects = (Project.objects.filter(year=start.year, due_end__gte=start)
                .exclude(status=ProjectStatus.CANCELLED).values_list(_project_unit(kind), "pk", "due_end"))
    expected, units = {}, {}
    for unit, pk, due in projects:
        if unit is not None:
            months = _months(start, min(due or until, until))
            if months:
                expected[(unit, pk)] = months
                units.setdefault(unit, 0)
    seen, ids = defaultdict(set), defaultdict(list)
    updates = ProgressUpdate.objects.filter(project__year=start.year, happened_on__gte=start,
                                            happened_on__lte=until).values_list(
        _project_unit(kind, "project__"), "project_id", "pk", "happened_on")
    for unit, project, pk, day in updates:
        if (unit, project) in expected:
            seen[(unit, project)].add((day.year, day.month))
            ids[unit].append(pk)
    wanted, got = defaultdict(int), defaultdict(int)
    for (unit, project), months in expected.items():
        wanted[unit] += months
        got[unit] += min(len(seen[(unit, project)]), months)
    return {unit: (round(100 * got[unit] / wanted[unit], 2), sorted(ids[unit])) for unit in wanted}


def _outcomes(kind: str, start: date, end: date, *fields):
    return (ActivityOutcome.objects.filter(review=ReviewStatus.CONFIRMED, held_on__gte=start, held_on__lte=end)
            .values_list(_project_unit(kind, "project__"), "pk", *fields))


@rule("outcome_count", _("Activities held"),
      _("Number of the unit's confirmed activity outcomes held in the period."), "projects.ActivityOutcome")
def outcome_count(kind: str, start: date, end: date, **_options) -> Values:
    return _sum((unit, pk, 1) for unit, pk in _outcomes(kind, start, end))


@rule("outcome_participants", _("Participants reached"),
      _("Sum of the participants (person-times) of the unit's confirmed outcomes in the period."),
      "projects.ActivityOutcome")
def outcome_participants(kind: str, start: date, end: date, **_options) -> Values:
    return _sum(_outcomes(kind, start, end, "participants"))


@rule("target_contribution", _("Contribution to the targets"),
      _("Expert person-times plus enterprises and key projects served (the T3 targets) in the unit's confirmed "
        "outcomes of the period."), "projects.ActivityOutcome")
def target_contribution(kind: str, start: date, end: date, **_options) -> Values:
    return _sum((unit, pk, experts + served)
                for unit, pk, experts, served in _outcomes(kind, start, end, "expert_person_times", "served_count"))


@rule("meeting_attendance", _("Joint meeting attendance"),
      _("Share (%) of the joint meetings held in the period to which the unit was invited that it attended "
        "(present or delegated)."), "meetings.Invitation")
def meeting_attendance(kind: str, start: date, end: date, **_options) -> Values:
    rows = Invitation.objects.filter(meeting__status=MeetingStatus.HELD, meeting__held_on__gte=start,
                                     meeting__held_on__lte=end).values_list(_owner(kind), "pk", "attendance")
    return _share((unit, pk, attendance in (Attendance.PRESENT, Attendance.DELEGATED))
                  for unit, pk, attendance in rows)


@rule("decisions_on_time", _("Decisions done on time"),
      _("Share (%) of the meeting decisions the unit owns with a deadline in the period (up to today) that were "
        "marked done by the deadline."), "meetings.Decision")
def decisions_on_time(kind: str, start: date, end: date, *, today=None, **_options) -> Values:
    rows = (Decision.objects.filter(deadline__gte=start, deadline__lte=_until(end, today))
            .exclude(status=DecisionStatus.DROPPED)
            .annotate(done_at=_first_done(Decision.history.model, DecisionStatus.DONE))
            .values_list(_owner(kind), "pk", "status", "deadline", "done_at"))
    return _share((unit, pk, status == DecisionStatus.DONE and _on_time(done_at, deadline))
                  for unit, pk, status, deadline, done_at in rows)


@rule("instructions_on_time", _("Leadership instructions answered on time"),
      _("Share (%) of the leadership instructions (批示) on the unit's projects with a reply deadline in the period "
        "(up to today) that the unit first answered by the deadline."), "projects.Instruction")
def instructions_on_time(kind: str, start: date, end: date, *, today=None, **_options) -> Values:
    rows = (Instruction.objects.filter(deadline__gte=start, deadline__lte=_until(end, today))
            .values_list(_project_unit(kind, "project__"), "pk", "deadline", "answered_at"))
    return _share((unit, pk, _on_time(answered_at, deadline)) for unit, pk, deadline, answered_at in rows)


def _records(kind: str, start: date, end: date, kinds, *fields):
    return (OrganisationRecord.objects.filter(review=ReviewStatus.CONFIRMED, kind__in=kinds,
                                              happened_on__gte=start, happened_on__lte=end)
            .values_list(_owner(kind), "pk", *fields))


@rule("new_members", _("New individual members"),
      _("Sum of the unit's confirmed records of new members in the period."), "reports.OrganisationRecord")
def new_members(kind: str, start: date, end: date, **_options) -> Values:
    return _sum(_records(kind, start, end, [RecordKind.MEMBER_INTAKE], "count"))


@rule("brands", _("Reform brands"),
      _("Number of the unit's confirmed municipal and provincial reform-brand records in the period."),
      "reports.OrganisationRecord")
def brands(kind: str, start: date, end: date, **_options) -> Values:
    return _sum((unit, pk, 1) for unit, pk in _records(
        kind, start, end, [RecordKind.BRAND_MUNICIPAL, RecordKind.BRAND_PROVINCIAL]))


@rule("needs_served", _("Enterprises served through their needs"),
      _("Number of distinct enterprises (家) whose technology needs were visited in the period: for a district, "
        "enterprises in the district; for a society, visits by its experts or to needs it collected."),
      "needs.NeedVisit")
def needs_served(kind: str, start: date, end: date, **_options) -> Values:
    visits = NeedVisit.objects.filter(held_on__gte=start, held_on__lte=end)
    rows = visits.values_list("pk", "need__partner_id", "need__district_id", "need__collected_by_society_id")
    by_experts = defaultdict(set)
    if kind == UnitKind.SOCIETY:
        for visit, society in NeedVisit.experts.through.objects.filter(
                needvisit__held_on__gte=start, needvisit__held_on__lte=end, expert__society__isnull=False
        ).values_list("needvisit_id", "expert__society_id"):
            by_experts[visit].add(society)
    partners, ids = defaultdict(set), defaultdict(list)
    for pk, partner, district, collecting_society in rows:
        units = {district} if kind == UnitKind.DISTRICT else {collecting_society, *by_experts[pk]}
        for unit in units - {None}:
            partners[unit].add(partner)
            ids[unit].append(pk)
    return {unit: (len(partners[unit]), sorted(ids[unit])) for unit in partners}


@rule("secretariat_mark", _("The secretariat's mark"),
      _("Points the secretariat gives with a comment, from 0 to the indicator's weight."), "evaluation.Mark")
def secretariat_mark(kind: str, start: date, end: date, *, marks=(), **_options) -> Values:
    return {getattr(mark, _owner(kind)): (float(mark.points), [mark.pk] if mark.pk else [])
            for mark in marks if getattr(mark, _owner(kind))}
