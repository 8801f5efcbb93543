"""催办 by hand: the secretariat presses it on one project or on several from a list, and the societies' contacts
are told at once (in-app, e-mail, the group robot), with an optional note; once per project a day.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from sanlian.site import absolute_url

from .choices import NotificationLevel
from .models import Notification, Project, Urge, WebhookDelivery
from .notifications import Recipient, ledger_key, message_for, send_bundles
from .reminder_messages import contact_line, project_url
from .reminders import PROJECT, local_today, open_projects, project_recipients, society_accounts

URGE = "urge"  # the kind of the messages and of their ledger keys
NOTE_MAX = 500


@dataclass
class UrgeResult:
    """What pressing 催办 did: the projects urged now, those already urged today (refused), the messages sent."""

    urged: list[Project] = field(default_factory=list)
    refused: list[Project] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def urgeable(user: User, ids) -> list[Project]:
    """The open projects among ``ids`` that ``user`` may see, with their society and contacts (a fixed number of
    queries); projects done or cancelled are left out."""
    return list(open_projects().filter(pk__in=Project.objects.for_user(user).filter(pk__in=ids).values("pk")))


def _line(project: Project, today: date) -> str:
    if project.due_end and project.due_end < today:
        state = gettext("{days} days overdue (due {due_end})").format(days=(today - project.due_end).days,
                                                                       due_end=project.due_end.isoformat())
    else:
        state = gettext("due {due_text} (by {due_end})").format(
            due_text=project.due_text or "-", due_end=project.due_end.isoformat() if project.due_end else "-")
    return "{} — {} · {} · {}".format(project.title, project.society.name,
                                      gettext("contact: {}").format(contact_line(project)), state)


def _text(projects: list[Project], note: str, today: date) -> tuple[str, str]:
    if len(projects) == 1:
        title = gettext("Please follow up (催办): {title}").format(title=projects[0].title)
    else:
        title = gettext("Please follow up (催办): {count} projects").format(count=len(projects))
    lines = [gettext("The leading group's office (学会部) asks you to follow up the projects below at once: post "
                     "their progress, or set their status (done, or delayed with the reason and a new date).")]
    if note:
        lines.append(gettext("Note: {note}").format(note=note))
    for project in projects:
        lines += ["· " + _line(project, today), "  " + absolute_url(project_url(project))]
    return title, "\n".join(lines)


def urge_projects(projects: list[Project], *, user: User, note: str = "", today: date | None = None) -> UrgeResult:
    """Press 催办 on ``projects`` (from ``urgeable``): each not yet urged today gets an ``Urge`` row (its history
    entry), and each person to remind gets one message now listing their urged projects, each society's robot one
    markdown message. Projects already urged today are refused, nothing is sent for them.

    Side effects, in one transaction: Urge, Notification, WebhookDelivery and ReminderLedger rows; after commit,
    the delivery tasks. A fixed number of queries whatever the number of projects.
    """
    today = today or local_today()
    note = note.strip()[:NOTE_MAX]
    result = UrgeResult()
    with transaction.atomic():
        taken = set(Urge.objects.filter(project__in=[p.pk for p in projects], on_date=today)
                    .values_list("project_id", flat=True))
        for project in projects:
            (result.refused if project.pk in taken else result.urged).append(project)
        if not result.urged:
            result.counts = {"notifications": 0, "emails": 0, "webhooks": 0, "items": 0}
            return result
        Urge.objects.bulk_create([Urge(project=p, on_date=today, note=note, by=user) for p in result.urged])
        society_users = society_accounts()
        by_person: dict[str, tuple[Recipient, list[Project]]] = {}
        by_society: dict[int, list[Project]] = defaultdict(list)
        for project in result.urged:
            for recipient in project_recipients(project, society_users):
                by_person.setdefault(recipient.key, (recipient, []))[1].append(project)
            if project.society.webhook_url:
                by_society[project.society_id].append(project)
        with translation.override(settings.LANGUAGE_CODE):
            letters: list[tuple[list[tuple], Notification]] = []
            for key, (recipient, mine) in by_person.items():
                title, body = _text(mine, note, today)
                url = project_url(mine[0]) if len(mine) == 1 else reverse("projects:mine")
                letters.append(([ledger_key(PROJECT, p.pk, URGE, 0, today, key) for p in mine], message_for(
                    recipient, kind=URGE, level=NotificationLevel.ORANGE, title=title, body=body, url=url)))
            robots = []
            for society_id, mine in by_society.items():
                society = mine[0].society
                title, _body = _text(mine, note, today)
                lines = ["### {} · {}".format(society.name, title)]
                if note:
                    lines.append(gettext("Note: {note}").format(note=note))
                lines += ["- [{}]({}) · {}".format(p.title.replace("[", "【").replace("]", "】"),
                                                  absolute_url(project_url(p)), contact_line(p)) for p in mine]
                robots.append(([ledger_key(PROJECT, p.pk, URGE, 0, today, "webhook:{}".format(society_id))
                                for p in mine],
                               WebhookDelivery(society=society, url=society.webhook_url, text="\n".join(lines),
                                               markdown=True)))
        result.counts = send_bundles(letters, robots)
    return result
