"""Paper and spreadsheets for people who work from them: the 台账 workbook of the project list (one row per
project) and the "一页纸" summary of one society.

Both start from an access-scoped project queryset and annotate what each row needs (latest progress, outcomes,
participants, the society's open decisions) with subqueries, so the cost is a fixed number of queries whatever the
number of projects.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from meetings.choices import DecisionStatus
from meetings.models import Decision
from projects import instructions
from projects.choices import ProjectStatus, ReviewStatus
from projects.models import ActivityOutcome, ProgressUpdate, Project
from sanlian.excel import table_sheet
from societies.models import Society


def _count_of(queryset: QuerySet, group: str, aggregate) -> Subquery:
    """A correlated subquery giving ``aggregate`` over ``queryset`` grouped by ``group`` (0 when no row)."""
    return Coalesce(Subquery(queryset.order_by().values(group).annotate(value=aggregate).values("value")[:1],
                             output_field=IntegerField()), Value(0))


def with_paper_figures(projects: QuerySet, *, user) -> QuerySet:
    """``projects`` with ``latest_on`` / ``latest_text`` (the newest progress update), ``latest_posted_at``,
    ``outcome_count`` / ``participant_count`` (confirmed outcomes) and ``open_decisions`` (the open decisions of
    the project's society that ``user`` may see), each one subquery: one query for any number of projects."""
    updates = ProgressUpdate.objects.filter(project=OuterRef("pk")).order_by("-happened_on", "-id")
    confirmed = ActivityOutcome.objects.filter(project=OuterRef("pk"), review=ReviewStatus.CONFIRMED)
    decisions = Decision.objects.for_user(user).filter(society=OuterRef("society_id"), status=DecisionStatus.OPEN)
    return projects.select_related("society").annotate(
        latest_on=Subquery(updates.values("happened_on")[:1]),
        latest_text=Subquery(updates.values("text")[:1]),
        latest_posted_at=Subquery(updates.order_by("-created_at").values("created_at")[:1]),
        outcome_count=_count_of(confirmed, "project", Count("pk")),
        participant_count=_count_of(confirmed, "project", Sum("participants")),
        open_decisions=_count_of(decisions, "society", Count("pk")),
    )


def summary_link_panel(*, user, organisation, **context) -> dict | None:
    """The ``organisation`` panel of a society's page: the link to its one-page summary (一页纸)."""
    if not isinstance(organisation, Society):
        return None
    return {"order": 5, "template": "reports/_society_summary_link.html", "society": organisation}


def days_overdue(project: Project, today: date) -> int:
    """Days past the due window's end for a project not done or cancelled; 0 otherwise."""
    if project.due_end is None or project.status in ProjectStatus.closed() or project.due_end >= today:
        return 0
    return (today - project.due_end).days


def last_changed_on(project: Project) -> date:
    """The day the project or its progress last changed (the later of the two)."""
    moments = [moment for moment in (project.updated_at, project.latest_posted_at) if isinstance(moment, datetime)]
    return timezone.localtime(max(moments)).date()


LEDGER_WIDTHS = [6, 8, 18, 40, 10, 12, 10, 12, 50, 12, 10, 10, 12]


def ledger_headers() -> list[str]:
    return [_("No."), _("Year"), _("Municipal society"), _("Project name"), _("Status"), _("Due"), _("Days overdue"),
            _("Latest progress date"), _("Latest progress"), _("Last updated"), _("Outcomes (confirmed)"),
            _("Participants (person-times)"), _("Open decisions of the society")]


def ledger_rows(projects: QuerySet, *, user, today: date) -> list[list]:
    """One row per project of ``projects`` (already access-scoped and filtered), in list order."""
    rows = []
    ordered = with_paper_figures(projects, user=user).order_by("year", "position", "id")
    for number, project in enumerate(ordered, start=1):
        rows.append([
            number, project.year, project.society.name, project.title, project.get_status_display(),
            project.due_text or (project.due_end.isoformat() if project.due_end else ""),
            days_overdue(project, today) or None,
            project.latest_on, project.latest_text or "", last_changed_on(project),
            project.outcome_count, project.participant_count, project.open_decisions,
        ])
    return rows


def ledger_workbook(projects: QuerySet, *, user, today: date | None = None) -> bytes:
    """The 台账 workbook of ``projects`` as .xlsx bytes (one sheet, a header row, one row per project)."""
    today = today or timezone.localdate()
    book = Workbook()
    book.remove(book.active)
    sheet = table_sheet(book, _("Ledger"), ledger_headers(), ledger_rows(projects, user=user, today=today),
                        widths=LEDGER_WIDTHS)
    for column in ("H", "J"):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class SocietySummary:
    """What the one-page summary of a society shows."""

    society: Society
    year: int
    projects: list[Project]
    status_counts: list[tuple[str, int]]
    overdue: int
    outcomes: int
    participants: int
    decisions: list[Decision]
    instructions: list  # the open and answered 批示 on the society's projects
    today: date


def society_summary(society: Society, *, user, year: int | None = None) -> SocietySummary:
    """The society's projects of ``year`` (default: the latest year it has projects) that ``user`` may see, each
    with its latest progress and outcomes, and the society's open decisions: a fixed number of queries."""
    today = timezone.localdate()
    projects = Project.objects.for_user(user).filter(society=society)
    if year is None:
        year = projects.order_by("-year").values_list("year", flat=True).first() or today.year
    rows = list(with_paper_figures(projects.filter(year=year), user=user).order_by("position", "id"))
    counts: dict[str, int] = {}
    for project in rows:
        project.days_overdue = days_overdue(project, today)
        counts[project.status] = counts.get(project.status, 0) + 1
    decisions = list(Decision.objects.for_user(user).filter(society=society, status=DecisionStatus.OPEN)
                     .select_related("meeting").order_by("deadline", "id"))
    pending = instructions.in_state(instructions.listed(user).filter(project__society=society), "pending", today)
    return SocietySummary(
        society=society, year=year, projects=rows, today=today, decisions=decisions,
        instructions=list(pending.order_by("deadline", "id")[:50]),
        status_counts=[(label, counts[value]) for value, label in ProjectStatus.choices if value in counts],
        overdue=sum(1 for project in rows if project.days_overdue),
        outcomes=sum(project.outcome_count for project in rows),
        participants=sum(project.participant_count for project in rows),
    )
