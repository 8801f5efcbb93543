"""Signal receivers of the projects app."""

from django.utils.translation import gettext as _

from .models import ReminderPolicy
from .services import import_reference_list, sync_reminder_schedule


def load_reference_list(sender, **kwargs) -> str:
    """On ``setup_portal``: import the shipped 2024 list into a portal without projects (never over data)."""
    result = import_reference_list()
    if result is None:
        return _("Key-project list: projects exist already, the 2024 list was not imported.")
    return _("Key-project list: {} projects of {} imported.").format(result.created["projects"], result.year)


def register_reminder_schedule(sender, stdout=None, **kwargs) -> str:
    """portal_setup: make sure the daily reminder and catch-up entries of django-celery-beat exist."""
    policy = ReminderPolicy.current()
    sync_reminder_schedule(policy=policy)
    return _("Reminders: daily at {:%H:%M} (Asia/Shanghai), catch-up every 10 minutes.").format(policy.send_time)
