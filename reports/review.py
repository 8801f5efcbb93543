"""The review queue (待确认): what contacts enter (activity outcomes, organisation records, own activities — each a
``projects.models.Confirmable``) waits for the secretariat, who confirms several at once or rejects one with a
reason; the reason goes back to whoever entered it (notification centre and e-mail, the one delivery path), who
corrects it and so submits it again. Pending cancellation requests of projects are reviewed here too
(``projects.cancellation``).
"""

from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from activities.models import OwnActivity
from projects.cancellation import pending_requests
from projects.choices import NotificationLevel, ReviewStatus
from projects.models import ActivityOutcome, Project
from projects.notifications import Recipient, ledger_key, message_for, people, send_batch
from projects.reminder_messages import Item
from sanlian.access import SYSTEM
from societies.access import users_with_role
from societies.choices import Role

from .access import can_review
from .models import OrganisationRecord

# what → model; the keys name the rows in the review page's check boxes ("outcome:12") and in its URLs
SOURCES = {"outcome": ActivityOutcome, "record": OrganisationRecord, "activity": OwnActivity}
REJECTED = "review_rejected"
DAILY_SUBJECT, DAILY_KIND = "reports.review", "review_pending"  # the daily section's ledger key
REASON_MAX = 2000
BATCH_MAX = 500


class ReviewRefused(ValueError):
    """A decision that cannot be made (its message is for the user)."""


def pending_count(user) -> int:
    """How many entries and cancellation requests wait for ``user`` (the secretariat; 0 for anyone else), in one
    query whatever their number."""
    return _waiting(user) if can_review(user) else 0


def _waiting(user) -> int:
    parts = [model.objects.for_user(user).filter(review=ReviewStatus.PENDING).order_by().values_list("pk")
             for model in SOURCES.values()]
    parts.append(Project.objects.for_user(user).filter(cancel_requested_at__isnull=False).order_by().values_list("pk"))
    return parts[0].union(*parts[1:], all=True).count()


def daily_items(*, today: date) -> list[Item]:
    """The “待确认 N 条” section of each secretariat account's daily message (``projects.reminders``), with the
    link to the review page; once a day per person (the ledger key holds the date), nothing when nothing waits."""
    count = _waiting(SYSTEM)
    if not count:
        return []
    url = reverse("reports:review_queue")
    title = gettext("Awaiting confirmation: {count}").format(count=count)
    text = gettext("{count} entries (outcomes, records, own activities, cancellation requests) wait for "
                   "confirmation.").format(count=count)
    return [Item(ledger_key(DAILY_SUBJECT, 0, DAILY_KIND, 0, today, recipient.key), recipient, digest=(title, text),
                 heading=gettext("Awaiting confirmation"), url=url)
            for recipient in people(users_with_role(Role.SECRETARIAT))]


def pending(user, what: str):
    """The entries of one kind waiting for ``user``, with what the review page shows (a fixed number of queries)."""
    rows = SOURCES[what].objects.for_user(user).filter(review=ReviewStatus.PENDING).select_related("entered_by")
    if what == "outcome":
        return rows.select_related("project__society").prefetch_related("evidence")
    if what == "activity":
        return rows.select_related("society", "district").prefetch_related("evidence")
    return rows.select_related("society", "district", "project")


def cancel_requests(user):
    """The projects whose cancellation waits (for the secretariat)."""
    return pending_requests().filter(pk__in=Project.objects.for_user(user).values("pk")).select_related(
        "society", "cancel_requested_by")


def parse_keys(values) -> dict[str, set[int]]:
    """The ticked rows ``what:pk`` of the review page by kind; anything else is refused (``ReviewRefused``)."""
    keys: dict[str, set[int]] = {}
    for value in values:
        what, _sep, pk = str(value).partition(":")
        if what not in SOURCES or not pk.isdigit() or len(pk) > 12:
            raise ReviewRefused(gettext("Only the listed entries can be ticked."))
        keys.setdefault(what, set()).add(int(pk))
    if not keys:
        raise ReviewRefused(gettext("Tick the entries to confirm first."))
    if sum(len(ids) for ids in keys.values()) > BATCH_MAX:
        raise ReviewRefused(gettext("Confirm at most {count} entries at once.").format(count=BATCH_MAX))
    return keys


def _decide(item, *, user, status: str, note: str = "") -> None:
    item.review, item.reviewed_by, item.reviewed_at, item.review_note = status, user, timezone.now(), note
    item._history_user = user
    item.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])


@transaction.atomic
def confirm_many(keys: dict[str, set[int]], *, user) -> int:
    """Confirm the entries ``keys`` (from ``parse_keys``) that ``user`` may review and that are not confirmed yet,
    in one transaction (one history record each). Returns how many were confirmed."""
    if not can_review(user):
        return 0
    done = 0
    for what, ids in keys.items():
        rows = SOURCES[what].objects.for_user(user).filter(pk__in=ids).exclude(review=ReviewStatus.CONFIRMED)
        for item in rows.select_for_update():
            _decide(item, user=user, status=ReviewStatus.CONFIRMED)
            done += 1
    return done


def confirm(item, *, user):
    """Confirm one entry (only confirmed ones count toward the targets)."""
    _decide(item, user=user, status=ReviewStatus.CONFIRMED)
    return item


def _name(item) -> str:
    return str(item.title)


@transaction.atomic
def reject(item, *, user: User, reason: str):
    """Reject one entry with ``reason`` (required: ``ReviewRefused`` without), kept on the entry and sent to whoever
    entered it (in-app and by e-mail), with the link to correct it."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewRefused(gettext("Give the reason for the rejection; it is sent to whoever entered it."))
    reason = reason[:REASON_MAX]
    _decide(item, user=user, status=ReviewStatus.REJECTED, note=reason)
    author = item.entered_by
    if author is not None and author.is_active and author.pk != user.pk:
        with translation.override(settings.LANGUAGE_CODE):
            title = gettext("Not confirmed: {title}").format(title=_name(item))
            body = gettext("The secretariat did not confirm “{title}” ({kind}). Reason: {reason}\nOpen it, correct "
                           "it and save it: it then waits for confirmation again.").format(
                title=_name(item), kind=item._meta.verbose_name, reason=reason)
        send_batch([(None, message_for(Recipient(author, author.email.strip()), kind=REJECTED,
                                       level=NotificationLevel.ORANGE, title=title, body=body,
                                       url=item.get_absolute_url()))])
    return item
