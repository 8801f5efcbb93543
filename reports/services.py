"""Targets and the dashboard: every number is counted in the database from confirmed records, scoped by user.

A target (``TargetDefinition``) names one counting rule of ``RULES``. A rule gives the queryset of the rows that
make the number up (``rows``) and how they add up (``value`` — an aggregate expression); the dashboard, the
drill-down, the ``target_status`` command and the half-yearly report all go through ``target_rows``, so a number
and the records behind it can never disagree.
"""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.choices import ProjectStatus, ReviewStatus
from projects.models import ActivityOutcome, Project, ProjectDistrict
from societies.access import district_of, is_secretariat, sees_everything, society_of
from societies.choices import UpperUnitLevel

from .choices import Pace, PeriodKind, RecordKind
from .models import OrganisationRecord, ReportBuild, TargetDefinition

TARGETS_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "targets.json"


# --- who sees which records ------------------------------------------------------------------------------------------
def outcomes_for(user) -> QuerySet:
    """Outcomes of the projects ``user`` may see (the projects' access entry point decides)."""
    if user is None or sees_everything(user):
        return ActivityOutcome.objects.all()
    return ActivityOutcome.objects.filter(project__in=Project.objects.for_user(user).values("pk"))


def records_for(user) -> QuerySet:
    """Organisation records: everything for the secretariat and leadership, a society's or district's own."""
    if user is None or sees_everything(user):
        return OrganisationRecord.objects.all()
    if (society := society_of(user)) is not None:
        return OrganisationRecord.objects.filter(society=society)
    if (district := district_of(user)) is not None:
        return OrganisationRecord.objects.filter(district=district)
    return OrganisationRecord.objects.none()


def _reviewed(queryset: QuerySet, include_unconfirmed: bool) -> QuerySet:
    if include_unconfirmed:
        return queryset.exclude(review=ReviewStatus.REJECTED)
    return queryset.filter(review=ReviewStatus.CONFIRMED)


# --- counting rules ----------------------------------------------------------------------------------------------------
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


RULES: dict[str, Rule] = {
    "record_count": Rule(_("number of records of the kinds"), "record", Count("id"), "happened_on"),
    "record_sum": Rule(_("sum of the records' numbers"), "record", Coalesce(Sum("count"), 0), "happened_on"),
    "record_districts": Rule(_("district associations with a record"), "record",
                             Count("district", distinct=True), "happened_on", Q(district__isnull=False), additive=False),
    "outcome_count": Rule(_("number of activities of the kinds"), "outcome", Count("id"), "held_on"),
    "outcome_served": Rule(_("enterprises and key projects served"), "outcome", Coalesce(Sum("served_count"), 0),
                           "held_on"),
    "outcome_expert_services": Rule(
        _("expert person-times in activities serving the “6+3” industries"), "outcome",
        Coalesce(Sum("expert_person_times"), 0), "held_on",
        Q(Exists(ActivityOutcome.industries.through.objects.filter(activityoutcome_id=OuterRef("pk"))))),
    "outcome_upper_units": Rule(
        _("distinct national or provincial units that took part"), "outcome",
        Count("upper_units", distinct=True, filter=Q(upper_units__level__in=[UpperUnitLevel.NATIONAL,
                                                                              UpperUnitLevel.PROVINCIAL])),
        "held_on", Q(Exists(ActivityOutcome.upper_units.through.objects.filter(
            activityoutcome_id=OuterRef("pk"),
            upperunit__level__in=[UpperUnitLevel.NATIONAL, UpperUnitLevel.PROVINCIAL]))), additive=False),
}


def held_meetings_for(user) -> QuerySet:
    """Joint meetings held (every role reads the meetings; the count is the city's, not a unit's)."""
    from meetings.choices import MeetingStatus
    from meetings.models import JointMeeting

    return JointMeeting.objects.filter(status=MeetingStatus.HELD)


SOURCES = {"outcome": outcomes_for, "record": records_for, "meeting": held_meetings_for}
RULES["meetings_held"] = Rule(_("joint meetings held"), "meeting", Count("id"), "held_on")


def period_of(target: TargetDefinition, *, year: int, as_of: date) -> tuple[date, date]:
    """The period a target is measured over for ``year`` (the plan period, the year, or its current half)."""
    if target.period == PeriodKind.PLAN:
        return target.plan_start, target.plan_end
    if target.period == PeriodKind.HALF:
        # the current half of this year; the second half of a past year; the first half of a future year
        first = as_of.month <= 6 if as_of.year == year else as_of.year < year
        return (date(year, 1, 1), date(year, 6, 30)) if first else (date(year, 7, 1), date(year, 12, 31))
    return date(year, 1, 1), date(year, 12, 31)


def target_rows(target: TargetDefinition, *, year: int, as_of: date, user=None,
                include_unconfirmed: bool = False) -> QuerySet:
    """The rows that make a target's number up: the rule's source, scoped to ``user``, confirmed (or not rejected),
    of the target's kinds, dated within the period up to ``as_of``."""
    rule = RULES[target.rule]
    start, end = period_of(target, year=year, as_of=as_of)
    rows = SOURCES[rule.source](user)
    fields = {model_field.name for model_field in rows.model._meta.get_fields()}
    if "review" in fields:
        rows = _reviewed(rows, include_unconfirmed)
    rows = rows.filter(**{rule.date_field + "__gte": start, rule.date_field + "__lte": min(end, as_of)})
    if (kinds := target.kind_list()) and "kind" in fields:
        rows = rows.filter(kind__in=kinds)
    if rule.narrow is not None:
        rows = rows.filter(rule.narrow)
    return rows


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
    name: str
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

    @property
    def pace_label(self) -> str:
        return Pace(self.pace).label

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
    return TargetStatus(code=target.code, name=target.name, value=value, threshold=target.threshold,
                        period_start=start, period_end=end, share_done=done, share_elapsed=round(elapsed, 4),
                        pace=pace_of(done, elapsed).value, source=RULES[target.rule].source, rule=target.rule)


def active_targets() -> list[TargetDefinition]:
    return [target for target in TargetDefinition.objects.filter(is_active=True) if target.rule in RULES]


def target_status(*, year: int, as_of: date | None = None, include_unconfirmed: bool = False, user=None,
                  with_ids: bool = True, with_trend: bool = False) -> list[TargetStatus]:
    """Each active target's value, threshold, period, shares and pace for ``year`` as of ``as_of`` (today by
    default: a snapshot counts only rows dated up to it), for what ``user`` may see (everything when None).
    ``record_ids`` lists exactly the rows the value is computed from; ``trend`` gives the value per month."""
    as_of = as_of or timezone.localdate()
    result = []
    for target in active_targets():
        rule = RULES[target.rule]
        rows = target_rows(target, year=year, as_of=as_of, user=user, include_unconfirmed=include_unconfirmed)
        trend = []
        if with_trend:
            months = rows.annotate(month=TruncMonth(rule.date_field)).values("month").annotate(
                v=rule.value).order_by("month")
            trend = [(row["month"].strftime("%Y-%m"), row["v"]) for row in months]
        if with_trend and rule.additive:
            value = sum(v for _month, v in trend)
        else:
            value = rows.aggregate(v=rule.value)["v"] or 0
        status = _status(target, value, year=year, as_of=as_of)
        status.trend = trend
        if with_ids:
            status.record_ids = sorted(rows.values_list("id", flat=True).distinct())
        result.append(status)
    return result


# --- the dashboard's slices ------------------------------------------------------------------------------------------
def _by(rows, key: str, **aggregates) -> dict:
    return {row[key]: row for row in rows.values(key).annotate(**aggregates).order_by()}


def society_ranking(*, year: int, user=None, as_of: date | None = None, include_unconfirmed: bool = False
                    ) -> list[dict]:
    """Per society: projects by status, overdue projects, outcomes and what they add to the targets."""
    as_of = as_of or timezone.localdate()
    projects = Project.objects.for_user(user).filter(year=year) if user is not None else \
        Project.objects.filter(year=year)
    statuses = {}
    for row in projects.values("society_id", "society__name", "status").annotate(n=Count("id")).order_by():
        entry = statuses.setdefault(row["society_id"], {"society_id": row["society_id"], "name": row["society__name"],
                                                        "projects": 0, "statuses": {}})
        entry["statuses"][row["status"]] = row["n"]
        entry["projects"] += row["n"]
    overdue = _by(projects.overdue(as_of), "society_id", n=Count("id"))
    outcomes = _reviewed(outcomes_for(user), include_unconfirmed).filter(project__year=year, held_on__year=year, held_on__lte=as_of)
    done = _by(outcomes, "project__society_id", n=Count("id"), participants=Coalesce(Sum("participants"), 0),
               experts=Coalesce(Sum("expert_person_times"), 0), served=Coalesce(Sum("served_count"), 0))
    records = _by(_reviewed(records_for(user), include_unconfirmed).filter(
        happened_on__year=year, happened_on__lte=as_of, society__isnull=False), "society_id",
        members=Coalesce(Sum("count", filter=Q(kind=RecordKind.MEMBER_INTAKE)), 0),
        brands=Count("id", filter=Q(kind__in=[RecordKind.BRAND_MUNICIPAL, RecordKind.BRAND_PROVINCIAL])))
    ranking = []
    for society_id, entry in statuses.items():
        row = done.get(society_id, {})
        entry.update(overdue=overdue.get(society_id, {}).get("n", 0), outcomes=row.get("n", 0),
                     participants=row.get("participants", 0), experts=row.get("experts", 0),
                     served=row.get("served", 0), done=entry["statuses"].get(ProjectStatus.DONE, 0),
                     members=records.get(society_id, {}).get("members", 0),
                     brands=records.get(society_id, {}).get("brands", 0))
        ranking.append(entry)
    return ranking


def district_ranking(*, year: int, user=None, as_of: date | None = None, include_unconfirmed: bool = False
                     ) -> list[dict]:
    """Per district association: linked projects by status, overdue, joint activities (outcomes)."""
    as_of = as_of or timezone.localdate()
    projects = Project.objects.for_user(user) if user is not None else Project.objects.all()
    links = ProjectDistrict.objects.filter(project__in=projects.filter(year=year).values("pk"))
    ranking = {}
    for row in links.values("district_id", "district__name", "project__status").annotate(n=Count("id")).order_by():
        entry = ranking.setdefault(row["district_id"], {"district_id": row["district_id"],
                                                        "name": row["district__name"], "projects": 0, "statuses": {}})
        entry["statuses"][row["project__status"]] = row["n"]
        entry["projects"] += row["n"]
    overdue = _by(links.filter(project__due_end__lt=as_of).exclude(project__status__in=ProjectStatus.closed()),
                  "district_id", n=Count("id"))
    outcomes = _reviewed(outcomes_for(user), include_unconfirmed).filter(project__year=year, held_on__year=year, held_on__lte=as_of)
    joint = _by(outcomes.filter(project__district_links__isnull=False), "project__district_links__district_id",
                n=Count("id"), participants=Coalesce(Sum("participants"), 0))
    for district_id, entry in ranking.items():
        row = joint.get(district_id, {})
        entry.update(overdue=overdue.get(district_id, {}).get("n", 0), outcomes=row.get("n", 0),
                     participants=row.get("participants", 0), done=entry["statuses"].get(ProjectStatus.DONE, 0))
    return list(ranking.values())


SORT_KEYS = ("projects", "done", "overdue", "outcomes", "participants", "experts", "served", "members", "brands",
             "name")


def sort_ranking(rows: list[dict], key: str) -> list[dict]:
    key = key if key in SORT_KEYS else "outcomes"
    return sorted(rows, key=lambda row: (row.get(key, 0) if key != "name" else row["name"]), reverse=key != "name")


# --- recording and confirming ----------------------------------------------------------------------------------------
def can_record(user, *, society=None, district=None) -> bool:
    """The secretariat records anything; a society contact for their society; a district contact for theirs."""
    if is_secretariat(user):
        return True
    own_society, own_district = society_of(user), district_of(user)
    if own_society is not None:
        return society is not None and society.pk == own_society.pk and district is None
    if own_district is not None:
        return district is not None and district.pk == own_district.pk and society is None
    return False


def save_record(record: OrganisationRecord, *, user) -> OrganisationRecord:
    """Save an organisation record entered by ``user`` (awaiting confirmation unless the secretariat enters it)."""
    if record.pk is None:
        record.entered_by = user
        if is_secretariat(user):
            record.review, record.reviewed_by, record.reviewed_at = ReviewStatus.CONFIRMED, user, timezone.now()
    record._history_user = user
    record.save()
    return record


def review(item, *, user, confirm: bool):
    """Confirm or reject an outcome or record (secretariat); only confirmed ones count toward the targets."""
    item.review = ReviewStatus.CONFIRMED if confirm else ReviewStatus.REJECTED
    item.reviewed_by, item.reviewed_at = user, timezone.now()
    item._history_user = user
    item.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    return item


@transaction.atomic
def load_targets(*, path: Path = TARGETS_FIXTURE) -> int:
    """Create the plan's target definitions from the fixture where missing; never overwrite the secretariat's edits."""
    created = 0
    for row in json.loads(Path(path).read_text(encoding="utf-8")):
        _target, new = TargetDefinition.objects.get_or_create(code=row["code"], defaults={
            key: value for key, value in row.items() if key != "code"})
        created += new
    return created



def export_dashboard(data: dict) -> bytes:
    """The dashboard as a workbook: targets, societies, districts (the same numbers and scope as the page)."""
    import io

    import openpyxl

    from sanlian.excel import table_sheet

    book = openpyxl.Workbook()
    book.remove(book.active)
    table_sheet(book, gettext("Targets"), [gettext("Code"), gettext("Target"), gettext("Value"), gettext("Threshold"),
                                          gettext("Share done (%)"), gettext("Share of the period elapsed (%)"),
                                          gettext("Pace"), gettext("Period")],
                [(t.code, t.name, t.value, t.threshold, t.percent_done, t.percent_elapsed, t.pace_label,
                  "{} – {}".format(t.period_start, t.period_end)) for t in data["targets"]],
                widths=[20, 40, 10, 10, 12, 12, 10, 24])
    labels = dict(ProjectStatus.choices)
    for title, rows, extra in ((gettext("Societies"), data["societies"], ("experts", "served", "members", "brands")),
                               (gettext("District associations"), data["districts"], ())):
        headers = [gettext("Name"), gettext("Projects")] + [str(labels[s]) for s in labels] + [
            gettext("Overdue"), gettext("Outcomes"), gettext("Participants")]
        headers += [gettext("Expert person-times"), gettext("Served"), gettext("New members"),
                    gettext("Reform brands")] if extra else []
        table_sheet(book, title, headers, [
            [row["name"], row["projects"]] + [row["statuses"].get(s, 0) for s in labels]
            + [row["overdue"], row["outcomes"], row["participants"]] + [row.get(key, 0) for key in extra]
            for row in rows], widths=[28] + [10] * (len(headers) - 1))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- demo data -------------------------------------------------------------------------------------------------------
DEMO_MARK = "【演示】"
DEMO_SOCIETIES = ("市老科协", "市医学会", "市农学会", "市机械工程学会", "市化工学会", "市计算机学会", "市土木建筑学会",
                  "市中医药学会", "市林学会", "市水利学会", "市电子学会", "市煤炭学会", "市护理学会", "市药学会",
                  "市生态学会", "市青少年科技教育协会")
DEMO_UPPER = (("中国老科协", "national"), ("中华医学会", "national"), ("中国机械工程学会", "national"),
              ("中国化工学会", "national"), ("中国农学会", "national"), ("山东省老科协", "provincial"),
              ("山东省医学会", "provincial"), ("山东省农学会", "provincial"), ("山东省化工学会", "provincial"),
              ("山东省计算机学会", "provincial"), ("山东省林学会", "provincial"), ("山东省水利学会", "provincial"),
              ("枣庄学院", "university"), ("中国科学院化学所", "institute"))
DEMO_FIRMS = ("中材锂膜", "山森数控", "鲁南制药", "联泓新材", "丰源轮胎", "瑞达新材料", "枣矿集团", "石榴研究院",
              "华宝牧业", "凯瑞电子", "金正大", "海特新材料")
DEMO_ACTIVITIES = ("科普大讲堂", "专家企业行", "技术对接会", "创新方法培训", "乡村振兴技术服务", "学术论坛", "义诊进社区",
                   "青少年科学营")


class RealDataPresent(Exception):
    """``seed_demo`` refuses to mix demo data into a portal holding real projects (unless forced)."""


@transaction.atomic
def seed_demo(*, projects: int = 60, seed: int = 1, year: int | None = None, force: bool = False,
              password: str = "sanlian-demo") -> dict:
    """Fill a realistic year of demo data — societies, units, ``projects`` projects, statuses, outcomes, records,
    one account per role — the same for the same seed. Earlier demo rows (marked 【演示】) are replaced; refuses
    (``RealDataPresent``) when real projects exist, unless ``force``."""
    import random

    from projects.models import ProjectPartner, ProjectUpperUnit
    from societies.models import District, Industry, Partner, Society, UpperUnit
    from societies.services import ensure_demo_accounts, load_reference_data

    if not force and Project.objects.exclude(title__startswith=DEMO_MARK).exists():
        raise RealDataPresent
    rng = random.Random(seed)
    today = timezone.localdate()
    year = year or today.year
    load_reference_data()
    load_targets()
    ensure_demo_accounts(password=password)
    Project.objects.filter(title__startswith=DEMO_MARK).delete()
    OrganisationRecord.objects.filter(title__startswith=DEMO_MARK).delete()
    societies = [Society.objects.get_or_create(name=name)[0] for name in DEMO_SOCIETIES]
    districts = list(District.objects.order_by("order", "pk"))
    uppers = [UpperUnit.objects.get_or_create(name=name, defaults={"level": level})[0] for name, level in DEMO_UPPER]
    firms = [Partner.objects.get_or_create(name=name)[0] for name in DEMO_FIRMS]
    industries = list(Industry.objects.all())
    last_day = min(today, date(year, 12, 31))
    span = max((last_day - date(year, 1, 1)).days, 1)
    statuses = [ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS, ProjectStatus.IN_PROGRESS, ProjectStatus.DONE,
                ProjectStatus.DONE, ProjectStatus.DELAYED, ProjectStatus.CANCELLED]
    created = Project.objects.bulk_create([
        Project(year=year, position=index + 1, society=societies[index % len(societies)],
                title="{}{}（{}）".format(DEMO_MARK, rng.choice(DEMO_ACTIVITIES), index + 1),
                title_key="demo-{}-{}".format(seed, index), due_text="{}月".format(month),
                due_start=date(year, month, 1), due_end=(date(year, month, 28) + timedelta(days=4)).replace(day=1)
                - timedelta(days=1), status=rng.choice(statuses), contact="演示联系人")
        for index, month in ((index, rng.randint(3, 12)) for index in range(projects))])
    ProjectDistrict.objects.bulk_create([ProjectDistrict(project=project, district=district, order=0)
                                         for project in created for district in [rng.choice(districts)]])
    ProjectUpperUnit.objects.bulk_create([ProjectUpperUnit(project=project, upper_unit=rng.choice(uppers), order=0)
                                          for project in created])
    ProjectPartner.objects.bulk_create([ProjectPartner(project=project, partner=rng.choice(firms), order=0)
                                        for project in created])
    outcomes = []
    for project in created:
        for _number in range(rng.choice((0, 1, 1, 2, 3))):
            outcomes.append(ActivityOutcome(
                project=project, held_on=date(year, 1, 1) + timedelta(days=rng.randrange(span)),
                title=project.title.replace(DEMO_MARK, ""), kind=rng.choice(("popularisation", "innovation", "training",
                                                                              "service", "forum")),
                place="枣庄", participants=rng.randint(20, 300), expert_person_times=rng.randint(0, 6),
                served_count=rng.randint(0, 3), review=rng.choice((ReviewStatus.CONFIRMED,) * 4 + (ReviewStatus.PENDING,))))
    ActivityOutcome.objects.bulk_create(outcomes)
    through_industries = ActivityOutcome.industries.through
    through_uppers = ActivityOutcome.upper_units.through
    through_industries.objects.bulk_create([
        through_industries(activityoutcome_id=outcome.pk, industry_id=rng.choice(industries).pk)
        for outcome in outcomes if industries and outcome.expert_person_times])
    through_uppers.objects.bulk_create([
        through_uppers(activityoutcome_id=outcome.pk, upperunit_id=rng.choice(uppers).pk)
        for outcome in outcomes if rng.random() < 0.4])
    plan = [(RecordKind.SOCIETY_FOUNDED, 2, "society"), (RecordKind.MEMBER_INTAKE, len(societies), "society"),
            (RecordKind.DISTRICT_ORG, 4, "district"), (RecordKind.BRAND_MUNICIPAL, 7, "society"),
            (RecordKind.BRAND_PROVINCIAL, 1, "society"), (RecordKind.MECHANISM, 2, None),
            (RecordKind.TRAINING, 3, None)]
    records = []
    for kind, number, owner in plan:
        for index in range(number):
            records.append(OrganisationRecord(
                kind=kind, happened_on=date(year, 1, 1) + timedelta(days=rng.randrange(span)),
                title="{}{}{}".format(DEMO_MARK, RecordKind(kind).label, index + 1),
                society=societies[index % len(societies)] if owner == "society" else None,
                district=districts[index % len(districts)] if owner == "district" else None,
                count=rng.randint(20, 120) if kind == RecordKind.MEMBER_INTAKE else 1,
                review=ReviewStatus.CONFIRMED))
    OrganisationRecord.objects.bulk_create(records)
    from meetings.choices import MeetingStatus
    from meetings.models import JointMeeting

    JointMeeting.objects.filter(place__startswith=DEMO_MARK).delete()
    JointMeeting.objects.create(half="{}H1".format(year), held_on=date(year, 3, 28), place=DEMO_MARK + "市科协会议室",
                                chair="市科协主席", status=MeetingStatus.HELD)
    transaction.on_commit(invalidate_dashboard)
    return {"year": year, "projects": len(created), "outcomes": len(outcomes), "records": len(records)}


# --- the dashboard's numbers, cached until something they are counted from changes -----------------------------------
DASHBOARD_VERSION_KEY = "sanlian:dashboard:version"
DASHBOARD_TTL_SECONDS = 600


def dashboard_version() -> int:
    from django.core.cache import cache

    return cache.get_or_set(DASHBOARD_VERSION_KEY, 1, None)


def invalidate_dashboard(**kwargs) -> None:
    """A receiver for saves and deletes of what the numbers are counted from: every cached dashboard goes stale."""
    from django.core.cache import cache

    try:
        cache.incr(DASHBOARD_VERSION_KEY)
    except ValueError:
        cache.set(DASHBOARD_VERSION_KEY, 2, None)


def dashboard_key(*, year: int, as_of: date, user=None, include_unconfirmed: bool = False) -> str:
    """What a dashboard's numbers (and its rendered tables) are cached under: changes whenever they may change."""
    return "sanlian:dashboard:{}:{}:{}:{}:{}".format(dashboard_version(), user.pk if user else "all", year,
                                                     int(include_unconfirmed), as_of.isoformat())


def dashboard_numbers(*, year: int, as_of: date, user=None, include_unconfirmed: bool = False) -> dict:
    """Targets (with monthly trend) and the society and district rankings for ``user``'s scope (None: all),
    computed in the database and cached per scope until a project, outcome, record or target changes."""
    from django.core.cache import cache

    key = dashboard_key(year=year, as_of=as_of, user=user, include_unconfirmed=include_unconfirmed)
    numbers = cache.get(key)
    if numbers is None:
        options = {"year": year, "as_of": as_of, "user": user, "include_unconfirmed": include_unconfirmed}
        numbers = {"targets": target_status(with_ids=False, with_trend=True, **options),
                   "societies": society_ranking(**options), "districts": district_ranking(**options)}
        for row in numbers["societies"] + numbers["districts"]:
            row["status_counts"] = [row["statuses"].get(status, 0) for status in ProjectStatus.values]
        cache.set(key, numbers, DASHBOARD_TTL_SECONDS)
    return numbers


# --- the half-yearly report ----------------------------------------------------------------------------------------
def request_report(*, half: str, user) -> ReportBuild:
    """Queue a build of the half-yearly report (``BadHalf`` for a malformed half); the worker builds it."""
    from .halfyear import parse_half
    from .tasks import task_build_report

    parse_half(half)
    build = ReportBuild.objects.create(half=half, requested_by=user)
    transaction.on_commit(lambda: _queue_build(task_build_report, build.pk))
    return build


def _queue_build(task, build_id: int) -> None:
    try:
        task.apply_async(kwargs={"build_id": build_id})
    except Exception:  # a broker that is down fails the build visibly instead of leaving it queued for ever
        ReportBuild.objects.filter(pk=build_id).update(status=ReportBuild.Status.FAILED,
                                                       message=gettext("The job queue is not reachable."))


def run_build(*, build_id: int) -> str:
    """Build the two files of a queued build, saving the progress as it goes; a finished build is left as it is
    (a redelivered task does not build twice). The numbers are those of the moment of the build."""
    from django.core.files.base import ContentFile

    from .halfyear import collect, report_name, write_docx, write_xlsx

    with transaction.atomic():
        build = ReportBuild.objects.select_for_update().filter(pk=build_id).first()
        if build is None or build.status == ReportBuild.Status.DONE:
            return "skipped"
        build.status, build.progress = ReportBuild.Status.RUNNING, 5
        build.save(update_fields=["status", "progress"])

    def progress(share: int, text: str) -> None:
        ReportBuild.objects.filter(pk=build_id).update(progress=share, message=str(text)[:300])

    try:
        data = collect(build.half, user=build.requested_by, progress=progress)
        progress(75, gettext("Writing the workbook"))
        xlsx = write_xlsx(data)
        progress(90, gettext("Writing the Word document"))
        docx = write_docx(data)
        name = report_name(build.half)
        build.xlsx.save(name + ".xlsx", ContentFile(xlsx), save=False)
        build.docx.save(name + ".docx", ContentFile(docx), save=False)
        build.status, build.progress, build.message = ReportBuild.Status.DONE, 100, ""
        build.projects, build.targets = data.project_count, len(data.targets)
        build.finished_at = timezone.now()
        build.save()
    except Exception as error:
        ReportBuild.objects.filter(pk=build_id).update(status=ReportBuild.Status.FAILED,
                                                       message=str(error)[:300], finished_at=timezone.now())
        raise
    return "done"
