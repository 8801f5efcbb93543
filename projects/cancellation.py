"""“Cancelled” chosen by a society's contact is a request: the project's status stays as it is until the
secretariat approves it (the status becomes “Cancelled”) or refuses it with a reason. Both sides are told, and
the project's history records the request and the decision (the refusal's reason as the history entry's reason).
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from societies.access import users_with_role
from societies.choices import Role

from .choices import NotificationLevel, ProjectStatus
from .models import Project
from .notifications import Recipient, message_for, people, send_batch

REQUESTED = "cancel_requested"
DECIDED = "cancel_decided"
REASON_MAX = 2000


class CancelRefused(ValueError):
    """A request or decision that cannot be made (its message is for the user)."""


def _who(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else gettext("the system")


def pending_requests():
    """Projects whose cancellation waits for the secretariat (oldest request first)."""
    return Project.objects.filter(cancel_requested_at__isnull=False).order_by("cancel_requested_at", "pk")


@transaction.atomic
def request_cancel(project: Project, *, user: User, reason: str = "") -> Project:
    """Record ``user``'s request to cancel ``project`` (the status is unchanged) and tell the secretariat.
    A second request while one waits replaces its reason and tells nobody again."""
    if project.status == ProjectStatus.CANCELLED:
        raise CancelRefused(gettext("The project is already cancelled."))
    again = project.cancel_requested_at is not None
    project.cancel_requested_by, project.cancel_requested_at = user, timezone.now()
    project.cancel_reason = reason.strip()[:REASON_MAX]
    project._history_user = user
    project.save(update_fields=["cancel_requested_by", "cancel_requested_at", "cancel_reason", "updated_at"])
    if not again:
        with translation.override(settings.LANGUAGE_CODE):
            title = gettext("Cancellation requested: {title}").format(title=project.title)
            body = gettext("{who} asks to cancel the project “{title}” ({society}). Reason: {reason}\nApprove or "
                           "refuse it on the review page (待确认).").format(
                who=_who(user), title=project.title, society=project.society.name, reason=project.cancel_reason or "-")
        send_batch([(None, message_for(recipient, kind=REQUESTED, level=NotificationLevel.ORANGE, title=title,
                                       body=body, url=project.get_absolute_url()))
                    for recipient in people(users_with_role(Role.SECRETARIAT))])
    return project


@transaction.atomic
def decide_cancel(project: Project, *, user: User, approve: bool, reason: str = "") -> Project:
    """Approve (the status becomes “Cancelled”) or refuse (a reason is required) the pending request of
    ``project``; the request is cleared, one history record by ``user`` (a refusal's reason as its change reason),
    and whoever asked is told. Raises ``CancelRefused`` when nothing waits or a refusal has no reason."""
    project = Project.objects.select_for_update(of=("self",)).select_related("society", "cancel_requested_by").get(
        pk=project.pk)
    if project.cancel_requested_at is None:
        raise CancelRefused(gettext("No cancellation request is waiting for this project."))
    reason = reason.strip()[:REASON_MAX]
    if not approve and not reason:
        raise CancelRefused(gettext("Give the reason for refusing the cancellation."))
    asked_by = project.cancel_requested_by
    if approve:
        project.status = ProjectStatus.CANCELLED
    project.cancel_requested_by, project.cancel_requested_at, project.cancel_reason = None, None, ""
    project._history_user = user
    project._change_reason = (gettext("Cancellation approved") if approve
                              else gettext("Cancellation refused: {reason}").format(reason=reason))
    project.save(update_fields=["status", "cancel_requested_by", "cancel_requested_at", "cancel_reason",
                                "updated_at"])
    if asked_by is not None and asked_by.is_active:
        with translation.override(settings.LANGUAGE_CODE):
            if approve:
                title = gettext("Cancellation approved: {title}").format(title=project.title)
                body = gettext("{who} approved cancelling the project “{title}”; its status is now “Cancelled”.")
            else:
                title = gettext("Cancellation refused: {title}").format(title=project.title)
                body = gettext("{who} refused cancelling the project “{title}”; its status stays as it was. "
                               "Reason: {reason}")
            body = body.format(who=_who(user), title=project.title, reason=reason)
        send_batch([(None, message_for(Recipient(asked_by, asked_by.email.strip()), kind=DECIDED,
                                       level=NotificationLevel.INFO if approve else NotificationLevel.ORANGE,
                                       title=title, body=body, url=project.get_absolute_url()))])
    return project
