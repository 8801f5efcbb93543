"""The dashboard's numbers: the targets with their monthly trend, and per society and per district the projects
by status, overdue projects and what their outcomes add — scoped by ``for_user`` and cached per scope until
something they are counted from changes (``invalidate_dashboard``, connected in ``reports.apps``)."""

import io
from datetime import date

import openpyxl
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from projects.choices import ProjectStatus
from projects.models import ActivityOutcome, Project, ProjectDistrict
from sanlian.access import SYSTEM
from sanlian.excel import table_sheet
from societies.access import district_of, sees_everything
from societies.models import District, Society

from .choices import RecordKind
from .models import OrganisationRecord
from .targets import confirmed, target_status

DASHBOARD_VERSION_KEY = "sanlian:dashboard:version"
DASHBOARD_TTL_SECONDS = 600
COMPUTE_SECONDS = 60  # how long a computation may hold a scope before another request computes it too
LAST_NUMBERS_SECONDS = 24 * 3600  # a scope's last numbers, shown while its fresh ones are being computed


def _by(rows, key: str, **aggregates) -> dict:
    return {row[key]: row for row in rows.values(key).annotate(**aggregates).order_by()}


def _outcomes(user, *, year: int, as_of: date, since: date | None, include_unconfirmed: bool):
    """The outcomes a ranking counts: of the year's projects, held from ``since`` (default 1 January) to ``as_of``."""
    return confirmed(ActivityOutcome.objects.for_user(user), include_unconfirmed).filter(
        project__year=year, held_on__gte=since or date(year, 1, 1), held_on__lte=min(as_of, date(year, 12, 31)))


def society_ranking(*, year: int, user, as_of: date | None = None, since: date | None = None,
                    include_unconfirmed: bool = False) -> list[dict]:
    """Per society: projects by status, overdue projects, outcomes (held from ``since``, default the year's start,
    to ``as_of``) and what they add to the targets."""
    as_of = as_of or timezone.localdate()
    projects = Project.objects.for_user(user).filter(year=year)
    statuses = {}
    late = Q(due_end__lt=as_of) & ~Q(status__in=ProjectStatus.closed())  # Project.objects.overdue(as_of)
    # grouped by the society's id alone (the names in a query of their own: no join, a narrower sort)
    for row in projects.values("society_id", "status").annotate(
            n=Count("id"), late=Count("id", filter=late)).order_by():
        entry = statuses.setdefault(row["society_id"], {"society_id": row["society_id"], "name": "",
                                                        "projects": 0, "statuses": {}, "overdue": 0})
        entry["statuses"][row["status"]] = row["n"]
        entry["projects"] += row["n"]
        entry["overdue"] += row["late"]
    for society_id, name in Society.objects.filter(pk__in=statuses).values_list("pk", "name"):
        statuses[society_id]["name"] = name
    outcomes = _outcomes(user, year=year, as_of=as_of, since=since, include_unconfirmed=include_unconfirmed)
    done = _by(outcomes, "project__society_id", n=Count("id"), participants=Coalesce(Sum("participants"), 0),
               experts=Coalesce(Sum("expert_person_times"), 0), served=Coalesce(Sum("served_count"), 0))
    records = _by(confirmed(OrganisationRecord.objects.for_user(user), include_unconfirmed).filter(
        happened_on__year=year, happened_on__lte=as_of, society__isnull=False), "society_id",
        members=Coalesce(Sum("count", filter=Q(kind=RecordKind.MEMBER_INTAKE)), 0),
        brands=Count("id", filter=Q(kind__in=[RecordKind.BRAND_MUNICIPAL, RecordKind.BRAND_PROVINCIAL])))
    ranking = []
    for society_id, entry in statuses.items():
        row = done.get(society_id, {})
        entry.update(outcomes=row.get("n", 0),
                     participants=row.get("participants", 0), experts=row.get("experts", 0),
                     served=row.get("served", 0), done=entry["statuses"].get(ProjectStatus.DONE, 0),
                     members=records.get(society_id, {}).get("members", 0),
                     brands=records.get(society_id, {}).get("brands", 0))
        ranking.append(entry)
    return ranking


def latest_year(user) -> int:
    """The most recent year that has projects ``user`` may see (this year when there are none): where the
    dashboard opens. Cached with the dashboard's numbers (the same version and scope)."""
    key = "sanlian:latest-year:{}:{}".format(dashboard_version(), scope_key(user))
    year = cache.get(key)
    if year is None:
        year = Project.objects.for_user(user).aggregate(year=Max("year"))["year"] or timezone.localdate().year
        cache.set(key, year, DASHBOARD_TTL_SECONDS)
    return year


def district_ranking(*, year: int, user, as_of: date | None = None, since: date | None = None,
                     include_unconfirmed: bool = False) -> list[dict]:
    """Per district association: linked projects by status, overdue, joint activities (outcomes held from
    ``since``, default the year's start, to ``as_of``)."""
    as_of = as_of or timezone.localdate()
    # the links' own scope (their project's rule) and the project's year on the one join the grouping needs: not a
    # second pass over the year's projects for an ``IN (subquery)`` (measured: a third of this query at 5,000)
    links = ProjectDistrict.objects.for_user(user).filter(
        project__year=year, district__is_city=False)  # 枣庄市科协 is the city level, not a district
    if (own := district_of(user)) is not None:
        links = links.filter(district=own)  # a district sees its own row, not its partners' on shared projects
    ranking = {}
    late = Q(project__due_end__lt=as_of) & ~Q(project__status__in=ProjectStatus.closed())
    for row in links.values("district_id", "project__status").annotate(
            n=Count("id"), late=Count("id", filter=late)).order_by():
        entry = ranking.setdefault(row["district_id"], {"district_id": row["district_id"], "overdue": 0,
                                                        "name": "", "projects": 0, "statuses": {}})
        entry["statuses"][row["project__status"]] = row["n"]
        entry["projects"] += row["n"]
        entry["overdue"] += row["late"]
    for district_id, name in District.objects.filter(pk__in=ranking).values_list("pk", "name"):
        ranking[district_id]["name"] = name
    outcomes = _outcomes(user, year=year, as_of=as_of, since=since, include_unconfirmed=include_unconfirmed)
    joint = _by(outcomes.filter(project__district_links__isnull=False), "project__district_links__district_id",
                n=Count("id"), participants=Coalesce(Sum("participants"), 0))
    for district_id, entry in ranking.items():
        row = joint.get(district_id, {})
        entry.update(outcomes=row.get("n", 0),
                     participants=row.get("participants", 0), done=entry["statuses"].get(ProjectStatus.DONE, 0))
    return list(ranking.values())


SORT_KEYS = ("projects", "done", "overdue", "outcomes", "participants", "experts", "served", "members", "brands",
             "name")


def sort_ranking(rows: list[dict], key: str) -> list[dict]:
    key = key if key in SORT_KEYS else "outcomes"
    return sorted(rows, key=lambda row: (row.get(key, 0) if key != "name" else row["name"]), reverse=key != "name")


def export_dashboard(data: dict) -> bytes:
    """The dashboard as a workbook: targets, societies, districts (the same numbers and scope as the page)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    table_sheet(book, gettext("Targets"), [gettext("Target"), gettext("Value"), gettext("Threshold"),
                                          gettext("Share done (%)"), gettext("Share of the period elapsed (%)"),
                                          gettext("Pace"), gettext("Period")],
                [(t.name, t.value, t.threshold, t.percent_done, t.percent_elapsed, t.pace_label,
                  "{} – {}".format(t.period_start, t.period_end)) for t in data["targets"]],
                widths=[40, 10, 10, 12, 12, 10, 24])
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



def dashboard_version() -> int:
    return cache.get_or_set(DASHBOARD_VERSION_KEY, 1, None)


def invalidate_dashboard(**kwargs) -> None:
    """A receiver for saves and deletes of what the numbers are counted from: every cached dashboard goes stale."""
    try:
        cache.incr(DASHBOARD_VERSION_KEY)
    except ValueError:
        cache.set(DASHBOARD_VERSION_KEY, 2, None)


def scope_key(user) -> str:
    """Whose numbers: every user who sees everything shares one set; a contact's slice is their own."""
    return "all" if user is SYSTEM or sees_everything(user) else "user-{}".format(user.pk)


def dashboard_key(*, year: int, as_of: date, user, include_unconfirmed: bool = False) -> str:
    """What a dashboard's numbers (and its rendered tables) are cached under: changes whenever they may change."""
    return "sanlian:dashboard:{}:{}:{}:{}:{}".format(dashboard_version(), scope_key(user), year,
                                                     int(include_unconfirmed), as_of.isoformat())


def dashboard_numbers(*, year: int, as_of: date, user, include_unconfirmed: bool = False) -> dict:
    """Targets (with monthly trend) and the society and district rankings for ``user``'s scope, computed in the
    database and cached per scope until a project, outcome, record or target changes; ``numbers["key"]`` is the key
    they were cached under (the page caches its rendered tables under it).

    One request at a time computes a scope's numbers: while one does (a change has just made them stale), the
    others are given the scope's last numbers instead of all computing at once — on a busy portal every status
    change would otherwise send each leader opening the dashboard into the same computation."""
    key = dashboard_key(year=year, as_of=as_of, user=user, include_unconfirmed=include_unconfirmed)
    numbers = cache.get(key)
    if numbers is not None:
        return numbers
    last = "sanlian:dashboard-last:{}:{}:{}:{}".format(scope_key(user), year, int(include_unconfirmed),
                                                      as_of.isoformat())
    computing = key + ":computing"
    if not cache.add(computing, 1, COMPUTE_SECONDS) and (numbers := cache.get(last)) is not None:
        return numbers
    try:
        options = {"year": year, "as_of": as_of, "user": user, "include_unconfirmed": include_unconfirmed}
        numbers = {"key": key, "targets": target_status(with_ids=False, with_trend=True, **options),
                   "societies": society_ranking(**options), "districts": district_ranking(**options)}
        for row in numbers["societies"] + numbers["districts"]:
            row["status_counts"] = [row["statuses"].get(status, 0) for status in ProjectStatus.values]
        cache.set(key, numbers, DASHBOARD_TTL_SECONDS)
        cache.set(last, numbers, LAST_NUMBERS_SECONDS)
    finally:
        cache.delete(computing)
    return numbers
