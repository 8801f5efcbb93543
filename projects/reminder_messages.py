"""The words of the daily reminder run: one message a day per person, listing their items in sections, one
markdown message a day per society's group robot, and the one-item message of a person who chose "immediate".

Pure composition: the rows returned are unsaved; ``projects.reminders`` decides what is due and who gets it, and
``projects.notifications.send_bundles`` writes them with their ledger rows.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_noop

from sanlian.site import absolute_url
from societies.choices import MessagePreference
from societies.models import Society

from .choices import NotificationLevel, ReminderKind
from .models import Notification, Project, WebhookDelivery
from .notifications import Recipient, message_for

DAILY = "daily"  # the kind of a person's daily message (its items keep their own kinds in the ledger)
ROBOT_MAX_ITEMS = 30  # lines of items in a robot's message; the rest is "… and N more"
ROBOT_MAX_BYTES = 3800  # WeCom's robot takes at most 4,096 bytes of markdown (DingTalk more)
LEVELS = [NotificationLevel.INFO, NotificationLevel.YELLOW, NotificationLevel.ORANGE, NotificationLevel.RED]
# The sections of a daily message, in this order; early reminders are split by their number of days.
SECTION_ORDER = [ReminderKind.DUE_SOON, ReminderKind.DUE_TODAY, ReminderKind.OVERDUE, ReminderKind.ESCALATED,
                 ReminderKind.RED, ReminderKind.NO_UPDATE, ReminderKind.DIGEST]


@dataclass
class Item:
    """One ledger key of today's run for one recipient: a project's stage (``stage``) or the weekly digest."""

    key: tuple
    recipient: Recipient
    stage: object | None = None  # a projects.reminders.Stage; None for the weekly digest or a registered section
    digest: tuple[str, str] | None = None  # the digest's (or section's) title and text
    heading: str = ""  # a registered section's heading (e.g. 待确认); empty for the weekly digest
    url: str = ""  # a registered section's link; empty for the weekly digest


STAGE_TEXTS = {  # marked for translation here, translated when used (only the stage's own pair)
    ReminderKind.DUE_SOON: (
        gettext_noop("Due in {days} days: {title}"),
        gettext_noop("The project “{title}” ({society}) is due {due_text}; its due window ends on {due_end}, in "
                     "{days} days. Please post a progress update before then, and set its status to “Done” "
                     "when it is finished."),
    ),
    ReminderKind.DUE_TODAY: (
        gettext_noop("Due today: {title}"),
        gettext_noop("The due window of the project “{title}” ({society}, due {due_text}) ends today, {due_end}. "
                     "Please post today's progress and set its status to “Done”, or to “Delayed” with "
                     "the reason."),
    ),
    ReminderKind.OVERDUE: (
        gettext_noop("Overdue: {title}"),
        gettext_noop("The project “{title}” ({society}) was due by {due_end} ({due_text}) and is {late} days "
                     "overdue. Please post its progress and set its status (done, or delayed with the reason and a "
                     "new date)."),
    ),
    ReminderKind.ESCALATED: (
        gettext_noop("Escalated, {late} days overdue: {title}"),
        gettext_noop("The project “{title}” of {society} was due by {due_end} ({due_text}) and is {late} days "
                     "overdue without being closed. Please follow it up with the society's contact."),
    ),
    ReminderKind.RED: (
        gettext_noop("Red list, {late} days overdue: {title}"),
        gettext_noop("The project “{title}” of {society} was due by {due_end} ({due_text}) and is {late} days "
                     "overdue. It is on the leadership's red list."),
    ),
    ReminderKind.NO_UPDATE: (
        gettext_noop("No progress update since {since}: {title}"),
        gettext_noop("The project “{title}” ({society}) is in progress but has had no progress update for a "
                     "while (due {due_text}). Please post what has been done, with photos or documents if there "
                     "are any."),
    ),
}


def stage_text(stage, today: date) -> tuple[str, str]:
    """Title and body (in the portal's language) of one stage's message: the project, its due date, what to do."""
    project = stage.project
    facts = {
        "title": project.title, "society": project.society.name, "due_text": project.due_text or "-",
        "due_end": project.due_end.isoformat() if project.due_end else "-", "days": stage.step,
        "late": (today - project.due_end).days if project.due_end else 0, "since": stage.target.isoformat(),
    }
    title, body = STAGE_TEXTS[stage.kind]
    return gettext(title).format(**facts), gettext(body).format(**facts)


def project_url(project: Project) -> str:
    """The project's address, worked out once per project and run (thousands of items name the same projects)."""
    if not hasattr(project, "_reminder_url"):
        project._reminder_url = project.get_absolute_url()
    return project._reminder_url


def contact_line(project: Project) -> str:
    """The project's contact person and phone (its first linked contact, else the annex's text), once per run."""
    if not hasattr(project, "_reminder_contact"):
        first = next(iter(project.contacts.all()), None)  # prefetched by open_projects()
        project._reminder_contact = (" ".join(filter(None, [first.name, first.phone])) if first
                                     else project.contact or "-")
    return project._reminder_contact


@lru_cache(maxsize=8)
def _words(language: str) -> dict[str, str]:
    """The run's recurring words, translated once per language (a run writes them thousands of times)."""
    return {
        ReminderKind.DUE_SOON: gettext("Due in {days} days"),
        ReminderKind.DUE_TODAY: gettext("Due today"),
        ReminderKind.OVERDUE: gettext("Overdue"),
        ReminderKind.ESCALATED: gettext("Escalated to you"),
        ReminderKind.RED: gettext("Red list (leadership)"),
        ReminderKind.NO_UPDATE: gettext("No progress update for {days} days"),
        ReminderKind.DIGEST: gettext("Weekly digest"),
        "late": gettext("{days} days overdue (due {due_end})"),
        "idle": gettext("no update since {since}"),
        "due": gettext("due {due_text} (by {due_end})"),
        "contact": gettext("contact: {}"),
    }


def words() -> dict[str, str]:
    return _words(get_language() or "")


def _section(stage, policy) -> tuple[tuple, str]:
    """The sort key and heading of a stage's section."""
    kind = stage.kind
    if kind == ReminderKind.DUE_SOON:
        return (0, -stage.step), words()[kind].format(days=stage.step)
    return (SECTION_ORDER.index(kind), 0), words()[kind].format(days=policy.no_update_days)


def _detail(stage, today: date) -> str:
    project = stage.project
    if stage.kind in (ReminderKind.OVERDUE, ReminderKind.ESCALATED, ReminderKind.RED):
        return words()["late"].format(days=(today - project.due_end).days, due_end=project.due_end.isoformat())
    if stage.kind == ReminderKind.NO_UPDATE:
        return words()["idle"].format(since=stage.target.isoformat())
    return words()["due"].format(due_text=project.due_text or "-", due_end=project.due_end.isoformat())


def _sections(items: list[Item], today: date, policy) -> list[tuple[str, list[Item]]]:
    grouped: dict[tuple, tuple[str, list[Item]]] = {}
    for item in items:
        if item.stage is None:  # registered sections before the weekly digest, the digest last
            order, heading = ((len(SECTION_ORDER), -1 if item.heading else 0),
                              item.heading or words()[ReminderKind.DIGEST])
        else:
            order, heading = _section(item.stage, policy)
        grouped.setdefault(order, (heading, []))[1].append(item)
    return [grouped[order] for order in sorted(grouped)]


def _level(items: list[Item]) -> str:
    return max((item.stage.level for item in items if item.stage), key=LEVELS.index, default=NotificationLevel.INFO)


def daily_text(items: list[Item], today: date, policy) -> tuple[str, str]:
    """Title and plain-text body of a person's daily message: each section with its items, each item its project,
    society, contact person, what is due, and the link."""
    projects = {item.stage.project.pk for item in items if item.stage}
    title = gettext("Reminders of {date}: {count} projects").format(date=today.isoformat(), count=len(projects))
    blocks = [gettext("The projects below need attention. Open each link to post progress or set the status "
                      "(done, or delayed with the reason and a new date).")]
    for heading, group in _sections(items, today, policy):
        lines = ["【{}】({})".format(heading, len(group))]
        for number, item in enumerate(group, 1):
            if item.stage is None:
                lines.append(item.digest[1])
                lines.append("   " + absolute_url(item.url or reverse("projects:reminder_digest")))
                continue
            project = item.stage.project
            lines.append("{}. {} — {} · {} · {}".format(number, project.title, project.society.name,
                                                      words()["contact"].format(contact_line(project)),
                                                      _detail(item.stage, today)))
            lines.append("   " + absolute_url(project_url(project)))
        blocks.append("\n".join(lines))
    return title, "\n\n".join(blocks)


def person_messages(items: list[Item], *, today: date, policy, preferences: dict[int, str]) -> list[
        tuple[list[tuple], Notification]]:
    """The messages of today's new items, with the ledger keys each stands for: one per person (all their items),
    or one per item for a person who chose "immediate"; no e-mail for a person who chose in-app only."""
    by_person: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_person[item.recipient.key].append(item)
    messages = []
    for group in by_person.values():
        recipient = group[0].recipient
        preference = preferences.get(recipient.user.pk) if recipient.user else None
        if preference == MessagePreference.IN_APP:
            recipient = Recipient(recipient.user, "")
        if preference == MessagePreference.IMMEDIATE or len(group) == 1:
            messages += [([item.key], _one(item, recipient, today)) for item in group]
            continue
        title, body = daily_text(group, today, policy)
        projects = {item.stage.project for item in group if item.stage}
        url = project_url(next(iter(projects))) if len(projects) == 1 else reverse("projects:mine")
        messages.append(([item.key for item in group], message_for(
            recipient, kind=DAILY, level=_level(group), title=title, body=body, url=url)))
    return messages


def _one(item: Item, recipient: Recipient, today: date) -> Notification:
    if item.stage is None:
        title, body = item.digest
        url = item.url or reverse("projects:reminder_digest")
        return message_for(recipient, kind=item.key[2], level=NotificationLevel.INFO, title=title,
                           body="{}\n{}".format(body, absolute_url(url)) if item.url else body, url=url)
    title, body = stage_text(item.stage, today)
    project = item.stage.project
    body = "{}\n{} · {}".format(body, words()["contact"].format(contact_line(project)),
                                absolute_url(project_url(project)))
    return message_for(recipient, kind=item.stage.kind, level=item.stage.level, title=title, body=body,
                       url=project_url(project))


def _size(lines: list[str]) -> int:
    return sum(len(line.encode()) + 1 for line in lines)


def robot_messages(items: list[tuple[tuple, Society, object]], *, today: date, policy) -> list[
        tuple[list[tuple], WebhookDelivery]]:
    """One markdown message per society's group robot listing its new items (at most ``ROBOT_MAX_ITEMS`` lines
    and ``ROBOT_MAX_BYTES``; then how many more)."""
    by_society: dict[int, list] = defaultdict(list)
    for key, society, stage in items:
        by_society[society.pk].append((key, society, stage))
    messages = []
    for group in by_society.values():
        society = group[0][1]
        entries = [Item(key, Recipient(None, ""), stage) for key, _society, stage in group]
        lines = ["### " + gettext("{society}: reminders of {date}").format(society=society.name,
                                                                          date=today.isoformat())]
        shown = left = 0
        for heading, section in _sections(entries, today, policy):
            if left:
                left += len(section)
                continue
            lines.append("**{}** ({})".format(heading, len(section)))
            for item in section:
                project = item.stage.project
                line = "- [{}]({}) · {} · {}".format(
                    project.title.replace("[", "【").replace("]", "】"), absolute_url(project_url(project)),
                    contact_line(project), _detail(item.stage, today))
                if left or shown == ROBOT_MAX_ITEMS or _size(lines) + len(line.encode()) > ROBOT_MAX_BYTES:
                    left += 1
                    continue
                lines.append(line)
                shown += 1
        if left:
            lines.append(gettext("… and {count} more").format(count=left))
        messages.append(([key for key, _society, _stage in group],
                         WebhookDelivery(society=society, url=society.webhook_url, text="\n".join(lines),
                                         markdown=True)))
    return messages
