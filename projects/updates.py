"""Correcting a progress update: its author may edit or delete it for 24 hours after posting; after that it is
fixed. Every edit and deletion is kept in the project's history (the old text with who and when)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from sanlian.uploads import delete_files_on_commit

from .models import ProgressUpdate

EDIT_WINDOW = timedelta(hours=24)


class UpdateFixed(PermissionError):
    """The update can no longer be changed by this user (its message is for the user)."""


def editable_until(update: ProgressUpdate):
    return update.created_at + EDIT_WINDOW


def can_correct(user, update: ProgressUpdate, *, now=None) -> bool:
    """Only the update's author, and only within ``EDIT_WINDOW`` of posting it."""
    now = now or timezone.now()
    return (update.author_id is not None and update.author_id == getattr(user, "pk", None)
            and now < editable_until(update))


def _check(user, update: ProgressUpdate) -> None:
    if update.author_id != getattr(user, "pk", None):
        raise UpdateFixed(gettext("Only the author of a progress update can change it."))
    if not can_correct(user, update):
        raise UpdateFixed(gettext("A progress update can be changed or deleted only within 24 hours of posting; "
                                  "this one is now fixed."))


@transaction.atomic
def edit_update(update: ProgressUpdate, *, user, happened_on: date, text: str, link: str = "") -> ProgressUpdate:
    """Change the text, date and link of ``update`` (its author, within 24 hours; ``UpdateFixed`` otherwise).
    The history keeps the old text (one record by ``user``)."""
    _check(user, update)
    update.happened_on, update.text, update.link = happened_on, text, link
    update._history_user = user
    update.save(update_fields=["happened_on", "text", "link"])
    return update


@transaction.atomic
def delete_update(update: ProgressUpdate, *, user) -> None:
    """Delete ``update`` with its attachments (its author, within 24 hours; ``UpdateFixed`` otherwise); the history
    keeps the deleted text, the attachment files go after commit."""
    _check(user, update)
    files = [attachment.file.name for attachment in update.attachments.all()]
    update._history_user = user
    update.delete()
    delete_files_on_commit(files)
