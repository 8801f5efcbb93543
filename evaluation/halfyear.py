"""The half-yearly report's commendation section, from the published evaluation and commendations (a panel of the
place ``reports:halfyear-commendation``, in place of the report's draft list of commendable units)."""

from datetime import date

from django.utils.translation import gettext as _

from .choices import NominationStep
from .models import Nomination, Round


def commendation_panel(*, year: int, start: date, end: date, **_context) -> dict:
    """The panel of the place ``reports:halfyear-commendation``: ``{"section": (title, header, rows)}``."""
    return {"section": commendation_section(year=year, start=start, end=end)}


def commendation_section(*, year: int, start: date, end: date) -> tuple[str, list[str], list[list]]:
    """The latest published round of the year (a year's round is published after the year ends, so not bounded by
    the half's end), its results, and the commendations published for the year; or a line saying none is."""
    header = [_("Unit or person"), _("Score"), _("Rank"), _("Grade"), _("Commendation")]
    round_ = Round.objects.filter(year=year).exclude(published_at=None).order_by("-published_at").first()
    rows = []
    if round_ is not None:
        rows += [[row.unit_name, row.score, row.rank, row.get_grade_display(), ""]
                 for row in round_.results.order_by("kind", "rank", "unit_name")]
    rows += [[item.nominee, "", "", "", item.reasons] for item in Nomination.objects.filter(
        year=year, step=NominationStep.PUBLISHED).select_related("society", "district")]
    if not rows:
        rows = [[_("No evaluation or commendation of {year} is published yet.").format(year=year), "", "", "", ""]]
    title = _("Evaluation and commendation: {}").format(round_.name) if round_ else _("Evaluation and commendation")
    return title, header, rows
