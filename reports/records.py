"""Organisation records (a society founded, members taken in, brands, mechanisms, trainings) and the
confirmation (确认) of what contacts enter: only confirmed outcomes and records count toward the targets.

This app owns the confirmation of outcomes (``projects``), records and own activities (``reports.review``); the
outcome page shows its buttons through the ``projects:outcome`` panel registered in ``reports.apps``.
"""

from projects.outcomes import entered

from .access import can_review
from .models import OrganisationRecord


def save_record(record: OrganisationRecord, *, user) -> OrganisationRecord:
    """Save a new or corrected organisation record of ``user`` (awaiting confirmation, again after a correction,
    unless the secretariat enters it; ``projects.outcomes.entered``)."""
    entered(record, user=user)
    record._history_user = user
    record.save()
    return record


def outcome_review_panel(*, user, outcome, **context) -> dict | None:
    """The confirm / reject buttons on an outcome's page, for the secretariat."""
    if not can_review(user):
        return None
    return {"template": "reports/_outcome_review.html", "order": 10, "outcome": outcome}


def activity_review_panel(*, user, activity, **context) -> dict | None:
    """The confirm / reject buttons on an own activity's page, for the secretariat."""
    if not can_review(user):
        return None
    return {"template": "reports/_activity_review.html", "order": 10, "activity": activity}
