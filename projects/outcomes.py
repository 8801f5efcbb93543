"""Activity outcomes (活动成效): what an activity of a project achieved, with its evidence; the numbers the targets
are counted from once the secretariat confirms them (``reports.review``).

The confirmation rule of every ``Confirmable`` entry (outcomes, organisation records, own activities) is here too:
what the secretariat enters or corrects counts at once; what anyone else enters or corrects waits (again)."""

from django.utils import timezone

from sanlian.uploads import check_uploads, files_with_transaction, store_uploads
from societies.access import is_secretariat

from .choices import ReviewStatus
from .models import ActivityOutcome, Attachment, Confirmable, Project


def entered(item: Confirmable, *, user) -> Confirmable:
    """Set the confirmation of ``item`` as entered or corrected by ``user`` (before its save): confirmed at once
    for the secretariat, awaiting confirmation for anyone else (a corrected rejection is so submitted again; its
    reason stays on the row until the next decision)."""
    if item.pk is None:
        item.entered_by = user
    if is_secretariat(user):
        if item.review != ReviewStatus.CONFIRMED:
            item.review, item.reviewed_by, item.reviewed_at = ReviewStatus.CONFIRMED, user, timezone.now()
    else:
        item.review, item.reviewed_by, item.reviewed_at = ReviewStatus.PENDING, None, None
    return item


def can_correct(user, item: Confirmable) -> bool:
    """The secretariat corrects any entry; whoever entered it corrects it until it is confirmed."""
    if is_secretariat(user):
        return True
    return item.entered_by_id is not None and item.entered_by_id == user.pk and item.review != ReviewStatus.CONFIRMED


def record_outcome(project: Project, *, user, fields: dict, experts=(), industries=(), upper_units=(),
                   files=(), outcome: ActivityOutcome | None = None) -> ActivityOutcome:
    """Record (or, with ``outcome``, correct) an activity outcome of ``project`` with its evidence files (each
    checked like update attachments; nothing is stored if one is refused; new files are added to the old ones).
    Entered by the secretariat it counts at once; otherwise it waits for the secretariat's confirmation."""
    checked = check_uploads(files)
    with files_with_transaction() as stored:
        outcome = outcome or ActivityOutcome(project=project)
        for name, value in fields.items():
            setattr(outcome, name, value)
        entered(outcome, user=user)
        outcome._history_user = user
        outcome.save()
        outcome.experts.set(experts)
        outcome.industries.set(industries)
        outcome.upper_units.set(upper_units)
        store_uploads(Attachment, checked, stored, project=project, outcome=outcome, uploaded_by=user)
    return outcome
