"""Attention where it is due: who is told when something happens to a project outside the daily reminders (a
project created for or moved to a society; a project delayed by its society).

Each function writes its notifications through ``projects.notifications`` in the caller's transaction.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext

from sanlian.display import person_name
from societies.access import users_with_role
from societies.choices import Role

from .choices import NotificationLevel
from .models import Project
from .notifications import ledger_key, message_for, people, send_batch

ASSIGNED = "project_assigned"
DELAYED = "project_delayed"


def _who(user: User | None) -> str:
    return person_name(user, gettext("the system"))


def tell_society_of_project(project: Project, *, user: User | None) -> dict:
    """Tell the contact accounts of the project's society that the project is now theirs (created for them, or
    moved to them). Returns the counts of ``send_batch``."""
    accounts = User.objects.filter(is_active=True, groups__name=Role.SOCIETY, profile__society=project.society_id)
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("New project for {society}: {title}").format(society=project.society.name,
                                                                    title=project.title)
        body = gettext("{who} put the project “{title}” (due {due_text}) on the list of {society}. Please check "
                       "its task force and post its progress as it goes.").format(
            who=_who(user), title=project.title, due_text=project.due_text or "-", society=project.society.name)
    return send_batch([(None, message_for(recipient, kind=ASSIGNED, level=NotificationLevel.INFO, title=title,
                                          body=body, url=project.get_absolute_url()))
                       for recipient in people(accounts.order_by("pk"))])


def tell_secretariat_of_delay(project: Project, *, user: User | None) -> dict:
    """Tell the secretariat that ``project`` was delayed, with the reason and the new date (once per new date)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("Delayed to {date}: {title}").format(date=project.delayed_to.isoformat(), title=project.title)
        body = gettext("{who} set the project “{title}” ({society}) to “Delayed”, with the new expected date "
                       "{date}. Reason: {reason}").format(
            who=_who(user), title=project.title, society=project.society.name, date=project.delayed_to.isoformat(),
            reason=project.delay_reason)
    return send_batch([(ledger_key(project, project.pk, DELAYED, 0, project.delayed_to, recipient.key),
                        message_for(recipient, kind=DELAYED, level=NotificationLevel.ORANGE, title=title, body=body,
                                    url=project.get_absolute_url()))
                       for recipient in people(users_with_role(Role.SECRETARIAT))])
