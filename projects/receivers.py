"""Signal receivers of the projects app."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .importing import import_reference_list
from .models import Project, ReminderPolicy
from .reminders import sync_reminder_schedule

PANEL_PROJECTS = 20


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


def organisation_projects(*, user, organisation, **context) -> dict | None:
    """The ``organisation`` panel: the projects of a society, district, upper unit, partner or contact that ``user``
    may see (through ``Project.objects.for_user``), in list order."""
    from societies.models import Contact, District, Partner, Society, UpperUnit

    lookups = {Society: "society", District: "district_links__district", UpperUnit: "upper_unit_links__upper_unit",
               Partner: "partner_links__partner", Contact: "contacts"}
    lookup = lookups.get(type(organisation))
    if lookup is None:
        return None
    ids = Project.objects.for_user(user).filter(**{lookup: organisation}).values("pk")
    projects = Project.objects.filter(pk__in=ids)
    # A page's cost must not grow with the list: the newest PANEL_PROJECTS here, the rest in the filtered list.
    filters = {Society: "society", District: "district"}
    more = "{}?{}={}".format(reverse("projects:list"), filters[type(organisation)], organisation.pk) if type(
        organisation) in filters else ""
    return {"order": 10, "template": "projects/organisation_projects.html", "count": projects.count(), "more": more,
            "projects": projects.select_related("society").order_by("-year", "position", "id")[:PANEL_PROJECTS]}
