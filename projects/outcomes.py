"""Activity outcomes (活动成效): what an activity of a project achieved, with its evidence; the numbers the targets
are counted from once the secretariat confirms them (``reports.records``)."""

from django.utils import timezone

from sanlian.uploads import check_uploads, files_with_transaction, store_uploads
from societies.access import is_secretariat

from .choices import ReviewStatus
from .models import ActivityOutcome, Attachment, Project


def record_outcome(project: Project, *, user, fields: dict, experts=(), industries=(), upper_units=(),
                   files=()) -> ActivityOutcome:
    """Record an activity outcome of ``project`` with its evidence files (each checked like update attachments;
    nothing is stored if one is refused). Entered by the secretariat it counts at once; otherwise it waits for
    the secretariat's confirmation."""
    checked = check_uploads(files)
    with files_with_transaction() as stored:
        outcome = ActivityOutcome(project=project, entered_by=user, **fields)
        if is_secretariat(user):
            outcome.review, outcome.reviewed_by, outcome.reviewed_at = ReviewStatus.CONFIRMED, user, timezone.now()
        outcome._history_user = user
        outcome.save()
        outcome.experts.set(experts)
        outcome.industries.set(industries)
        outcome.upper_units.set(upper_units)
        store_uploads(Attachment, checked, stored, project=project, outcome=outcome, uploaded_by=user)
    return outcome
