"""Organisation records (a society founded, members taken in, brands, mechanisms, trainings) and the
confirmation (确认) of what contacts enter: only confirmed outcomes and records count toward the targets.

This app owns the confirmation of both outcomes (``projects``) and records; the outcome page shows its buttons
through the ``projects:outcome`` panel registered in ``reports.apps``.
"""

from django.utils import timezone

from projects.choices import ReviewStatus

from .access import can_review
from .models import OrganisationRecord


def save_record(record: OrganisationRecord, *, user) -> OrganisationRecord:
    """Save an organisation record entered by ``user`` (awaiting confirmation unless the secretariat enters it)."""
    if record.pk is None:
        record.entered_by = user
        if can_review(user):
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
