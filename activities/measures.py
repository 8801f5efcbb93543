"""The plan's 16 measures as data: loading them from ``fixtures/measures.json`` (by ``setup_portal``) and the
"按举措" table — per measure the projects, confirmed own activities and outcomes, campaigns and the last activity
date, each scoped by ``for_user`` and dated in the year."""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
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


def _per_measure(rows, link: str, **aggregates) -> dict[int, dict]:
    """``aggregates`` of the ``rows`` grouped by the measure they are linked to (through ``link``): one query."""
    grouped = rows.filter(**{link + "__isnull": False}).order_by().values(link).annotate(**aggregates)
    return {row.pop(link): row for row in grouped}


def measure_table(user, *, year: int) -> list[dict]:
    """Per active measure (in number order): projects of the year, confirmed own activities and outcomes held in
    the year, campaigns started in the year, and the date of the last activity or outcome — what ``user`` may see.
    One grouped query per source (a correlated subquery per measure and source cost twice as much at 5,000
    projects)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    # Plain counts, not ``distinct``: a (measure, project) pair is unique in the link table, an outcome has one
    # project and the scopes are ``IN (subquery)`` conditions, so no row is repeated — and a distinct count sorts
    # every joined row (measured: half of these queries' time at 5,000 projects).
    projects = _per_measure(Project.objects.for_user(user).filter(year=year), "measures", n=Count("id"))
    activities = _per_measure(
        OwnActivity.objects.for_user(user).filter(review=ReviewStatus.CONFIRMED, held_on__range=(start, end)),
        "measures", n=Count("id", distinct=True), last=Max("held_on"))
    outcomes = _per_measure(
        ActivityOutcome.objects.for_user(user).filter(review=ReviewStatus.CONFIRMED, held_on__range=(start, end)),
        "project__measures", n=Count("id"), last=Max("held_on"))
    campaigns = _per_measure(Campaign.objects.for_user(user).filter(starts_on__range=(start, end)), "measures",
                             n=Count("id", distinct=True), last=Max("starts_on"))
    rows = []
    for measure in Measure.objects.for_user(user).filter(is_active=True):
        found = [source.get(measure.pk, {}) for source in (projects, activities, outcomes, campaigns)]
        lasts = [part["last"] for part in found if part.get("last")]
        rows.append({"measure": measure, **{name: part.get("n", 0) for name, part in zip(
            ("projects", "activities", "outcomes", "campaigns"), found)}, "last": max(lasts) if lasts else None})
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
