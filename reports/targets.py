"""The plan's targets: counting rules, periods, pace, and each target's value with the rows it is counted from.

A target (``TargetDefinition``) names one counting rule of ``RULES``. A rule gives the queryset of the rows that
make the number up (``target_rows``: the source's ``for_user`` scope, confirmed, of the target's kinds, in the
period) and how they add up (``value``: an aggregate); the dashboard, the drill-down, the ``target_status``
command and the half-yearly report all go through it, so a number and the records behind it can never disagree.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Aggregate, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import OwnActivity, Venue
from meetings.choices import MeetingStatus
from meetings.models import JointMeeting
from needs.models import NeedVisit
from projects.choices import ReviewStatus
from projects.models import ActivityOutcome
from sanlian.db import YearMonth
from societies.choices import UpperUnitLevel

from .choices import Pace, PeriodKind
from .models import OrganisationRecord, TargetDefinition

TARGETS_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "targets.json"


def confirmed(queryset: QuerySet, include_unconfirmed: bool = False) -> QuerySet:
    """The rows that count: confirmed ones, or with ``include_unconfirmed`` every one not rejected."""
    if include_unconfirmed:
        return queryset.exclude(review=ReviewStatus.REJECTED)
    return queryset.filter(review=ReviewStatus.CONFIRMED)


@dataclass(frozen=True)
class Rule:
    """How a target counts: which rows (``source`` outcomes or records, of the target's kinds), how they add up
    (``value``: an aggregate), and the date the period applies to."""

    label: str
    source: str  # "outcome" | "record"
    value: object  # an aggregate expression over the rows
    date_field: str
    narrow: object = None  # an extra condition on the rows (a Q), or None
    additive: bool = True  # the value of a period is the sum of its months' values (not so for distinct counts)
    # A distinct count over several sources (the rule's own and its ``ALSO`` sources): per source, the path from a
    # row to the things counted (e.g. ``{"visit": "need__partner", "activity": "partners"}``); the value is the
    # number of distinct ids in the union over the sources, so the same thing counts once whichever source names it.
    # ``value`` stays the rule's aggregate over its own source alone.
    ids: dict[str, str] | None = None
    id_filter: dict[str, object] | None = None  # lookups on the things counted (e.g. ``{"level__in": […]}``)


UPPER_LEVELS = [UpperUnitLevel.NATIONAL, UpperUnitLevel.PROVINCIAL]  # the units T3-upper-units counts

RULES: dict[str, Rule] = {
    "record_count": Rule(_("number of records of the kinds"), "record", Count("id"), "happened_on"),
    "record_sum": Rule(_("sum of the records' numbers"), "record", Coalesce(Sum("count"), 0), "happened_on"),
    "record_districts": Rule(_("district associations with a record"), "record",
                             Count("district", distinct=True), "happened_on",
                             Q(district__isnull=False, district__is_city=False), additive=False),
    "outcome_count": Rule(_("number of activities of the kinds"), "outcome", Count("id"), "held_on"),
    "outcome_expert_services": Rule(
        _("expert person-times in activities serving the “6+3” industries"), "outcome",
        Coalesce(Sum("expert_person_times"), 0), "held_on",
        # "id IN (one uncorrelated subquery)", not a correlated EXISTS per row: the database builds the set once
        Q(pk__in=ActivityOutcome.industries.through.objects.values("activityoutcome_id"))),
    "outcome_upper_units": Rule(
        _("distinct national or provincial units that took part (activities of list projects and own activities, "
          "each unit once)"), "outcome",
        Count("upper_units", distinct=True, filter=Q(upper_units__level__in=UPPER_LEVELS)),
        "held_on", Q(pk__in=ActivityOutcome.upper_units.through.objects.filter(
            upperunit__level__in=UPPER_LEVELS).values("activityoutcome_id")),
        additive=False, ids={"outcome": "upper_units", "activity": "upper_units"},
        id_filter={"level__in": UPPER_LEVELS}),
}


def _held_meetings(user) -> QuerySet:
    """Joint meetings held (every role reads the meetings; the count is the city's, not a unit's)."""
    return JointMeeting.objects.for_user(user).filter(status=MeetingStatus.HELD)


SOURCES = {"outcome": ActivityOutcome.objects.for_user, "record": OrganisationRecord.objects.for_user,
           "meeting": _held_meetings, "visit": NeedVisit.objects.for_user, "activity": OwnActivity.objects.for_user,
           "venue": Venue.objects.for_user}
RULES["meetings_held"] = Rule(_("joint meetings held"), "meeting", Count("id"), "held_on")
# T3-served counts enterprises (家), each once however often and by whichever source it was served: the partners
# of the visited needs and the S&T enterprises (key projects) named in confirmed own activities (``partners``).
RULES["enterprises_served"] = Rule(
    _("distinct enterprises served (visits to their technology needs and own activities, each enterprise once)"),
    "visit", Count("need__partner", distinct=True), "held_on", additive=False,
    ids={"visit": "need__partner", "activity": "partners"})
# "new this year" of the registry of bases and venues (e.g. 新增企业科协 with kinds "enterprise_association")
RULES["venues_new"] = Rule(_("new bases and venues of the kinds"), "venue", Count("id"), "founded_on")

# The further sources a rule also counts, each with its own narrowing condition (or None): an own activity (自主活动)
# of a district or society counts exactly like an outcome of a list project. An additive rule adds the sources'
# values up; a distinct one (``Rule.ids``) counts the union of their ids.
ALSO: dict[str, dict[str, object]] = {
    "outcome_count": {"activity": None},
    "outcome_expert_services": {"activity": Q(Exists(OwnActivity.industries.through.objects.filter(
        ownactivity_id=OuterRef("pk"))))},
    # the activities that name an enterprise / a national or provincial unit (the rows behind the number)
    "enterprises_served": {"activity": Q(pk__in=OwnActivity.partners.through.objects.values("ownactivity_id"))},
    "outcome_upper_units": {"activity": Q(pk__in=OwnActivity.upper_units.through.objects.filter(
        upperunit__level__in=UPPER_LEVELS).values("ownactivity_id"))},
}
# a distinct rule names the path of the counted ids in each of its sources, its own and its ``ALSO`` ones
assert all(set(rule.ids) == {rule.source, *ALSO.get(code, {})} for code, rule in RULES.items() if rule.ids)


def period_of(target: TargetDefinition, *, year: int, as_of: date) -> tuple[date, date]:
    """The period a target is measured over for ``year`` (the plan period, the year, or its current half)."""
    if target.period == PeriodKind.PLAN:
        return target.plan_start, target.plan_end
    if target.period == PeriodKind.HALF:
        # the current half of this year; the second half of a past year; the first half of a future year
        first = as_of.month <= 6 if as_of.year == year else as_of.year < year
        return (date(year, 1, 1), date(year, 6, 30)) if first else (date(year, 7, 1), date(year, 12, 31))
    return date(year, 1, 1), date(year, 12, 31)


def target_rows(target: TargetDefinition, *, year: int, as_of: date, user,
                include_unconfirmed: bool = False, source: str | None = None) -> QuerySet:
    """The rows that make a target's number up: the rule's source (or one of its further ``ALSO`` sources),
    scoped to ``user``, confirmed (or not rejected), of the target's kinds, dated within the period up to ``as_of``."""
    rule = RULES[target.rule]
    start, end = period_of(target, year=year, as_of=as_of)
    narrow = rule.narrow if source in (None, rule.source) else ALSO[target.rule][source]
    rows = SOURCES[source or rule.source](user)
    fields = {model_field.name for model_field in rows.model._meta.get_fields()}
    if "review" in fields:
        rows = confirmed(rows, include_unconfirmed)
    rows = rows.filter(**{rule.date_field + "__gte": start, rule.date_field + "__lte": min(end, as_of)})
    if (kinds := target.kind_list()) and "kind" in fields:
        rows = rows.filter(**{getattr(rows.model, "kind_lookup", "kind") + "__in": kinds})
    if narrow is not None:
        rows = rows.filter(narrow)
    return rows


def target_parts(target: TargetDefinition, **options) -> list[tuple[str, QuerySet]]:
    """Every source's rows of a target: the rule's own source first, then its ``ALSO`` sources; the value is the
    sum of the parts' values, or for a distinct rule the number of distinct ids of their union (``parts_value``)."""
    rule = RULES[target.rule]
    return [(rule.source, target_rows(target, **options))] + [
        (source, target_rows(target, source=source, **options)) for source in ALSO.get(target.rule, {})]


def _counted_ids(rule: Rule, source: str, rows: QuerySet) -> QuerySet:
    """A distinct rule's source rows narrowed to those naming a thing counted (along the source's path, meeting
    ``id_filter``), with that thing's id annotated as ``item``: one row per (row, thing) pair."""
    path = rule.ids[source]
    lookups = {path + "__isnull": False, **{"{}__{}".format(path, key): value
                                            for key, value in (rule.id_filter or {}).items()}}
    # one ``filter`` call: the path's join the lookups make is the one ``item`` reads (a multi-valued relation
    # filtered in a second call would join again, and ``item`` would list things the filter did not pass)
    return rows.filter(**lookups).annotate(item=F(path)).order_by()


def _distinct_union(target: TargetDefinition, parts: list[tuple[str, QuerySet]], *, with_month: bool) -> QuerySet:
    """One UNION query over the sources of a distinct rule: the distinct ids counted (with ``with_month``, the
    distinct (month, id) pairs)."""
    rule = RULES[target.rule]
    union = None
    for source, rows in parts:
        rows = _counted_ids(rule, source, rows)
        if with_month:
            rows = rows.annotate(month=YearMonth(rule.date_field)).values_list("month", "item")
        else:
            rows = rows.values_list("item")
        union = rows if union is None else union.union(rows)  # UNION, not UNION ALL: each id (pair) once
    return union


def _distinct_value(target: TargetDefinition, *, with_trend: bool, **options) -> tuple[int, list[tuple[str, int]]]:
    """A distinct rule's value and trend in one query: the number of distinct ids of the union over its sources;
    the trend gives each month the number of distinct ids named in that month (like the other distinct counts, the
    months do not add up to the value: a thing served in May and June counts in both months, once in the year)."""
    parts = target_parts(target, **options)
    if not with_trend:
        return _distinct_union(target, parts, with_month=False).count(), []
    pairs = list(_distinct_union(target, parts, with_month=True))
    months = Counter(month for month, _item in pairs)
    return len({item for _month, item in pairs}), sorted(months.items())


def parts_value(target: TargetDefinition, parts: list[tuple[str, QuerySet]]) -> int:
    """A target's value from its parts (``target_parts``): the sum of the parts' aggregates, or for a distinct
    rule over several sources the number of distinct ids of their union."""
    rule = RULES[target.rule]
    if rule.ids:
        return _distinct_union(target, parts, with_month=False).count()
    return sum(rows.aggregate(v=rule.value)["v"] or 0 for _source, rows in parts)


def with_counted(target: TargetDefinition, source: str, rows: QuerySet, user) -> QuerySet:
    """A distinct rule's rows with the things each one counts as ``row.counted`` (the drill-down lists them, e.g.
    the enterprises an own activity served); other rules' rows unchanged."""
    rule = RULES[target.rule]
    if not rule.ids or source not in rule.ids:
        return rows
    path = rule.ids[source]
    if "__" in path:  # a path through a foreign key (a visit's need's enterprise): the row's template names it
        return rows
    related = rows.model._meta.get_field(path).related_model
    return rows.prefetch_related(Prefetch(path, to_attr="counted", queryset=related.objects.for_user(user).filter(
        **(rule.id_filter or {})).order_by("name")))


def pace_of(share_done: float, share_elapsed: float) -> Pace:
    """The pace rule (written on the dashboard): done → ahead; at least the share of the period elapsed (less
    10 points) → on track, or ahead when 10 points over; at least half the elapsed share → behind; else at risk."""
    if share_done >= 1 or share_done >= share_elapsed + 0.1:
        return Pace.AHEAD
    if share_done >= share_elapsed - 0.1:
        return Pace.ON_TRACK
    if share_done >= share_elapsed / 2:
        return Pace.BEHIND
    return Pace.AT_RISK


@dataclass
class TargetStatus:
    code: str
    name: str  # the name people read (``TargetDefinition.label``: short name, threshold built in), never the code
    value: int
    threshold: int
    period_start: date
    period_end: date
    share_done: float
    share_elapsed: float
    pace: str
    record_ids: list[int] = field(default_factory=list)
    source: str = ""
    rule: str = ""
    trend: list[tuple[str, int]] = field(default_factory=list)
    also_ids: dict[str, list[int]] = field(default_factory=dict)  # the ``ALSO`` sources' rows (own activities)
    full_name: str = ""  # the definition's full name (shown as a tooltip where the short one is)

    @property
    def pace_label(self) -> str:
        return Pace(self.pace).label

    @property
    def rule_label(self) -> str:
        """How the value is counted (the rule's label: e.g. that both sources count, each enterprise once)."""
        rule = RULES.get(self.rule)
        return str(rule.label) if rule else ""

    @property
    def percent_done(self) -> int:
        return round(self.share_done * 100)

    @property
    def percent_elapsed(self) -> int:
        return round(self.share_elapsed * 100)

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "value": self.value, "threshold": self.threshold,
                "period_start": self.period_start.isoformat(), "period_end": self.period_end.isoformat(),
                "share_done": self.share_done, "share_elapsed": self.share_elapsed, "pace": self.pace,
                "record_ids": self.record_ids}


def _status(target: TargetDefinition, value: int, *, year: int, as_of: date) -> TargetStatus:
    start, end = period_of(target, year=year, as_of=as_of)
    elapsed = min(max((as_of - start).days + 1, 0), (end - start).days + 1) / ((end - start).days + 1)
    done = round(value / target.threshold, 4)
    return TargetStatus(code=target.code, name=target.label, full_name=target.name, value=value, threshold=target.threshold,
                        period_start=start, period_end=end, share_done=done, share_elapsed=round(elapsed, 4),
                        pace=pace_of(done, elapsed).value, source=RULES[target.rule].source, rule=target.rule)


def active_targets() -> list[TargetDefinition]:
    return [target for target in TargetDefinition.objects.filter(is_active=True) if target.rule in RULES]


def _with_condition(expression, condition: Q):
    """``expression`` (an aggregate, or a function of aggregates such as ``Coalesce(Sum(…), 0)``) counting only the
    rows that meet ``condition``: one query can then add up several targets side by side."""
    expression = expression.copy()
    if isinstance(expression, Aggregate):
        expression.filter = condition if expression.filter is None else condition & expression.filter
        return expression
    expression.set_source_expressions([
        _with_condition(part, condition) if getattr(part, "contains_aggregate", False) else part
        for part in expression.get_source_expressions()])
    return expression


def _condition_parts(target: TargetDefinition, narrow: Q | None, *, model, year: int, as_of: date,
                     fields: set[str]) -> list[Q]:
    """What ``target_rows`` filters on beyond the source's scope and confirmation, as conditions to AND: the period,
    the kinds, the rule's narrowing condition."""
    rule = RULES[target.rule]
    start, end = period_of(target, year=year, as_of=as_of)
    parts = [Q(**{rule.date_field + "__gte": start, rule.date_field + "__lte": min(end, as_of)})]
    if (kinds := target.kind_list()) and "kind" in fields:
        parts.append(Q(**{getattr(model, "kind_lookup", "kind") + "__in": kinds}))
    if narrow is not None:
        parts.append(narrow)
    return parts


def _shared_parts(parts: list[list[Q]]) -> tuple[list[Q], list[Q | None]]:
    """The conditions every target of a source shares (typically the year's period), filtered on once in the WHERE
    clause, and what is left of each target's condition for its aggregate's FILTER (``None``: nothing, every row of
    the query counts). The database then evaluates a date range once per row, not once per aggregate."""
    shared = [part for part in parts[0] if all(part in others for others in parts[1:])]
    own = [[part for part in target_parts if part not in shared] for target_parts in parts]
    return shared, [Q.create(rest) if rest else None for rest in own]


def _grouped_values(targets: list[TargetDefinition], *, year: int, as_of: date, user, include_unconfirmed: bool,
                    with_trend: bool) -> dict[str, tuple[int, list[tuple[str, int]]]]:
    """Each target's value (and monthly trend) as ``{code: (value, trend)}``, in one query per source for the
    additive rules (conditional aggregates side by side, grouped by month for the trend) — the cost of a cold
    dashboard does not grow with the number of targets. A distinct count (not additive: the months' values do not
    add up) may join a many-valued relation, which would repeat the rows the others count, so it keeps its own
    query over ``target_rows`` — or, counted over several sources (``Rule.ids``), one UNION query of their ids."""
    values = {}
    by_source: dict[str, list[tuple[TargetDefinition, Q | None]]] = {}  # an additive target in each of its sources
    for target in targets:
        rule = RULES[target.rule]
        if rule.ids:  # a distinct count over several sources: the union of their ids, one query
            values[target.code] = _distinct_value(target, with_trend=with_trend, year=year, as_of=as_of, user=user,
                                                  include_unconfirmed=include_unconfirmed)
            continue
        if rule.additive:
            by_source.setdefault(rule.source, []).append((target, rule.narrow))
            for source, narrow in ALSO.get(target.rule, {}).items():
                by_source.setdefault(source, []).append((target, narrow))
            continue
        rows = target_rows(target, year=year, as_of=as_of, user=user, include_unconfirmed=include_unconfirmed)
        trend = []
        if with_trend:
            months = rows.annotate(month=YearMonth(rule.date_field)).values("month").annotate(
                v=rule.value).order_by("month")
            trend = [(row["month"], row["v"]) for row in months]
        values[target.code] = (rows.aggregate(v=rule.value)["v"] or 0, trend)
    sums: dict[str, dict[str, int]] = {}  # code → month → value, over the target's sources
    for source, pairs in by_source.items():
        group = [target for target, _narrow in pairs]
        rows = SOURCES[source](user)
        fields = {model_field.name for model_field in rows.model._meta.get_fields()}
        if "review" in fields:
            rows = confirmed(rows, include_unconfirmed)
        shared, conditions = _shared_parts([
            _condition_parts(target, narrow, model=rows.model, year=year, as_of=as_of, fields=fields)
            for target, narrow in pairs])
        rows = rows.filter(*shared)
        if all(condition is not None for condition in conditions):  # else some target counts every row left
            rows = rows.filter(Q.create(conditions, connector=Q.OR))
        aggregates = {}
        for index, (target, condition) in enumerate(zip(group, conditions)):
            value = RULES[target.rule].value
            aggregates["v{}".format(index)] = value if condition is None else _with_condition(value, condition)
            if not (isinstance(value, Count) and not value.distinct):  # a count is its own row count
                aggregates["n{}".format(index)] = Count("pk", filter=condition)
        if not with_trend:
            totals = rows.aggregate(**aggregates)
            for index, target in enumerate(group):
                total = sums.setdefault(target.code, {})
                total[""] = total.get("", 0) + (totals["v{}".format(index)] or 0)
            continue
        date_field = RULES[group[0].rule].date_field  # one source, one date
        months = list(rows.annotate(month=YearMonth(date_field)).values("month").annotate(**aggregates).order_by(
            "month"))
        for index, target in enumerate(group):
            key = "n{}".format(index) if "n{}".format(index) in aggregates else "v{}".format(index)
            trend = sums.setdefault(target.code, {})
            for row in months:
                if row[key]:
                    trend[row["month"]] = trend.get(row["month"], 0) + (row["v{}".format(index)] or 0)
    for code, months in sums.items():
        values[code] = (sum(months.values()), [] if not with_trend else sorted(months.items()))
    return values


def target_status(*, year: int, user, as_of: date | None = None, include_unconfirmed: bool = False,
                  with_ids: bool = True, with_trend: bool = False) -> list[TargetStatus]:
    """Each active target's value, threshold, period, shares and pace for ``year`` as of ``as_of`` (today by
    default: a snapshot counts only rows dated up to it), for what ``user`` may see (``SYSTEM``: everything).
    ``record_ids`` lists exactly the rule's own source's rows the value is computed from (``also_ids`` those of
    its further sources, e.g. own activities); ``trend`` gives the value per month."""
    as_of = as_of or timezone.localdate()
    targets = active_targets()
    values = _grouped_values(targets, year=year, as_of=as_of, user=user, include_unconfirmed=include_unconfirmed,
                             with_trend=with_trend)
    result = []
    for target in targets:
        value, trend = values[target.code]
        status = _status(target, value, year=year, as_of=as_of)
        status.trend = trend
        if with_ids:
            parts = target_parts(target, year=year, as_of=as_of, user=user, include_unconfirmed=include_unconfirmed)
            status.record_ids = sorted(parts[0][1].values_list("id", flat=True).distinct())
            status.also_ids = {source: sorted(rows.values_list("id", flat=True).distinct())
                               for source, rows in parts[1:]}
        result.append(status)
    return result


@transaction.atomic
def load_targets(*, path: Path = TARGETS_FIXTURE) -> int:
    """Create the plan's target definitions from the fixture where missing; never overwrite the secretariat's edits."""
    created = 0
    for row in json.loads(Path(path).read_text(encoding="utf-8")):
        _target, new = TargetDefinition.objects.get_or_create(code=row["code"], defaults={
            key: value for key, value in row.items() if key != "code"})
        created += new
    return created
