"""The plan's 16 measures as data: loading them from ``fixtures/measures.json`` (by ``setup_portal``) and the
"按举措" table — per measure the projects, confirmed own activities and outcomes, campaigns and the last activity
date, each scoped by ``for_user`` and dated in the year."""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from projects.choices import ReviewStatus
from projects.models import ActivityOutcome, Project

from .models import Campaign, Measure, OwnActivity

MEASURES_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "measures.json"


@transaction.atomic
def load_measures(*, path: Path = MEASURES_FIXTURE) -> int:
    """Create the plan's measures where missing; never overwrite the secretariat's edits."""
    created = 0
    for row in json.loads(Path(path).read_text(encoding="utf-8")):
        _measure, new = Measure.objects.get_or_create(number=row["number"], defaults={
            key: value for key, value in row.items() if key != "number"})
        created += new
    return created


def load_measures_on_setup(sender, **kwargs) -> str:
    """On ``setup_portal``: the 16 measures of the plan."""
    return _("Measures: {} created.").format(load_measures())


def _per_measure(rows, link: str, aggregate) -> Coalesce | Subquery:
    """A correlated subquery: ``aggregate`` over the ``rows`` linked (through ``link``) to the outer measure."""
    inner = rows.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(v=aggregate).values("v")[:1]
    return Subquery(inner)


def measure_table(user, *, year: int) -> list[dict]:
    """Per active measure (in number order): projects of the year, confirmed own activities and outcomes held in
    the year, campaigns started in the year, and the date of the last activity or outcome — what ``user`` may see.
    One query (correlated subqueries), so the dashboard stays within its query budget."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    projects = Project.objects.for_user(user).filter(year=year)
    activities = OwnActivity.objects.for_user(user).filter(review=ReviewStatus.CONFIRMED, held_on__range=(start, end))
    outcomes = ActivityOutcome.objects.for_user(user).filter(review=ReviewStatus.CONFIRMED,
                                                              held_on__range=(start, end))
    campaigns = Campaign.objects.for_user(user).filter(starts_on__range=(start, end))
    measures = Measure.objects.for_user(user).filter(is_active=True).annotate(
        n_projects=_per_measure(projects, "measures", Count("id", distinct=True)),
        n_activities=_per_measure(activities, "measures", Count("id", distinct=True)),
        last_activity=_per_measure(activities, "measures", Max("held_on")),
        n_outcomes=_per_measure(outcomes, "project__measures", Count("id", distinct=True)),
        last_outcome=_per_measure(outcomes, "project__measures", Max("held_on")),
        n_campaigns=_per_measure(campaigns, "measures", Count("id", distinct=True)),
        last_campaign=_per_measure(campaigns, "measures", Max("starts_on")))
    rows = []
    for measure in measures:
        lasts = [day for day in (measure.last_activity, measure.last_outcome, measure.last_campaign) if day]
        rows.append({"measure": measure, "projects": measure.n_projects or 0, "activities": measure.n_activities or 0,
                     "outcomes": measure.n_outcomes or 0, "campaigns": measure.n_campaigns or 0,
                     "last": max(lasts) if lasts else None})
    return rows


def measure_rows(user, measure: Measure, *, year: int) -> dict:
    """The drill-down of one measure: what ``measure_table`` counts for it."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return {
        "projects": Project.objects.for_user(user).filter(year=year, measures=measure).select_related("society"),
        "activities": OwnActivity.objects.for_user(user).filter(
            measures=measure, review=ReviewStatus.CONFIRMED, held_on__range=(start, end)).select_related(
            "district", "society"),
        "outcomes": ActivityOutcome.objects.for_user(user).filter(
            Q(project__measures=measure), review=ReviewStatus.CONFIRMED, held_on__range=(start, end)).select_related(
            "project").distinct(),
        "campaigns": Campaign.objects.for_user(user).filter(measures=measure, starts_on__range=(start, end))
        .select_related("district"),
    }
