"""Deadline reminders (催办): the policy's stages, the daily run with the weekly digest, the catch-up job, the beat
schedule, who cannot be reached, and the private calendar feeds of the deadlines.

Messages go out through ``projects.notifications`` (ledger-keyed, so every reminder is sent once), worded by
``projects.reminder_messages`` (one message a day per person and per society's robot).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext

from sanlian.ical import Event, calendar
from societies.access import users_with_role
from societies.choices import MessagePreference, Role
from societies.models import Contact, Profile, Society

from .choices import NotificationLevel, ProjectStatus, ReminderKind
from .models import CalendarFeed, ProgressUpdate, Project, ReminderPolicy, ReminderRun
from .notifications import Recipient, existing_keys, ledger_key, merge, people, redrive_pending, send_bundles
from .reminder_messages import Item, contact_line, person_messages, robot_messages


def local_today() -> date:
    """Today in the city's time zone (settings.TIME_ZONE, Asia/Shanghai), whatever the server's clock zone."""
    return timezone.localdate()


# --- the daily reminder run -------------------------------------------------------------------------------------

RUN_KEYS = ("due_soon", "due_today", "overdue", "escalated", "no_update", "notifications", "emails", "webhooks",
            "already_sent", "unreachable", "recipients", "items")
PROJECT = "projects.project"
DIGEST = "projects.digest"
CONTACT_KINDS = (ReminderKind.DUE_SOON, ReminderKind.DUE_TODAY, ReminderKind.OVERDUE, ReminderKind.NO_UPDATE)


DAILY_SECTIONS: list = []  # functions (today=) → Items a higher app adds to today's messages (reports: 待确认)


def register_daily_section(section) -> None:
    """Add ``section(today=...)``'s items (``reminder_messages.Item`` with ``heading``, ``url`` and a ledger key of
    today, so each goes out once a day) to the people's daily messages (registering twice adds it once)."""
    if section not in DAILY_SECTIONS:
        DAILY_SECTIONS.append(section)


@dataclass
class Stage:
    """One reminder a project is due today, for a set of recipients."""

    project: Project
    kind: str
    level: str
    target: date
    step: int = 0
    recipients: list[Recipient] = field(default_factory=list)

    def key(self, recipient_key: str) -> tuple:
        return ledger_key(PROJECT, self.project.pk, self.kind, self.step, self.target, recipient_key)


def society_accounts() -> dict[int, list[User]]:
    """The active contact accounts of each society, by society id (one query)."""
    result: dict[int, list[User]] = defaultdict(list)
    users = User.objects.filter(is_active=True, groups__name=Role.SOCIETY, profile__society__isnull=False)
    for user in users.annotate(society_pk=models.F("profile__society_id")).order_by("pk"):
        result[user.society_pk].append(user)
    return result


def open_projects(*, contacts: bool = True):
    """Projects that can still be reminded: not done or cancelled; with their last update date and (unless
    ``contacts`` is false) their contacts prefetched."""
    projects = (
        Project.objects.exclude(status__in=ProjectStatus.closed())
        .filter(Q(due_end__isnull=False) | Q(status=ProjectStatus.IN_PROGRESS))
        .select_related("society")
        .annotate(last_update=Max("updates__happened_on"))
        .order_by("due_end", "pk")
    )
    if contacts:
        projects = projects.prefetch_related(Prefetch("contacts", Contact.objects.select_related("user").order_by("pk")))
    return projects


def open_project_contacts() -> dict[int, tuple[list[Recipient], str]]:
    """Per open project id: its contacts as recipients (their account if active, else their e-mail) and its
    contact line (the first contact's name and phone), in two queries of plain rows — the daily run reads every
    open project, and model instances for each contact would cost it more than everything else."""
    accounts = {user.pk: user for user in User.objects.filter(contact__isnull=False)}
    rows = (Project.contacts.through.objects.exclude(project__status__in=ProjectStatus.closed())
            .order_by("project_id", "contact_id")
            .values_list("project_id", "contact__name", "contact__phone", "contact__email", "contact__user_id"))
    result: dict[int, tuple[list[Recipient], str]] = {}
    for project_id, name, phone, email, user_id in rows:
        recipients, line = result.setdefault(project_id, ([], " ".join(filter(None, [name, phone]))))
        user = accounts.get(user_id)
        if user is not None and user.is_active:
            recipients.append(Recipient(user, (user.email or email).strip()))
        elif email:
            recipients.append(Recipient(None, email))
    return result


def project_recipients(project: Project, society_users: dict[int, list[User]]) -> list[Recipient]:
    """The society's contact accounts, then the project's contacts (their account if any, else their e-mail)."""
    contacts = [
        Recipient(c.user, (c.user.email or c.email).strip()) if c.user and c.user.is_active else Recipient(None, c.email)
        for c in project.contacts.all()
        if (c.user and c.user.is_active) or c.email
    ]
    return merge(people(society_users.get(project.society_id, [])), contacts)


def project_stages(project: Project, *, today: date, policy: ReminderPolicy) -> list[Stage]:
    """The reminders ``project`` is due on ``today`` under ``policy`` (without recipients).

    Before the due window ends: the nearest "N days before" not yet passed (a missed 7-day reminder is still sent
    on day 5, but not on day 1, where the 1-day one replaces it); the due day; once overdue: the contacts, after X
    days the chair and secretariat, after Y days the leadership; every Z days without an update: a nudge.
    """
    stages = []
    end = project.due_end
    if end is not None:
        days_left = (end - today).days
        if days_left > 0:
            steps = [n for n in policy.days_before_list if n >= days_left]
            if steps:
                stages.append(Stage(project, ReminderKind.DUE_SOON, NotificationLevel.YELLOW, end, min(steps)))
        elif days_left == 0:
            if policy.remind_due_day:
                stages.append(Stage(project, ReminderKind.DUE_TODAY, NotificationLevel.ORANGE, end))
        else:
            if policy.remind_overdue:
                stages.append(Stage(project, ReminderKind.OVERDUE, NotificationLevel.RED, end))
            if -days_left >= policy.escalate_after_days:
                stages.append(Stage(project, ReminderKind.ESCALATED, NotificationLevel.RED, end))
            if -days_left >= policy.red_after_days:
                stages.append(Stage(project, ReminderKind.RED, NotificationLevel.RED, end))
    if project.status == ProjectStatus.IN_PROGRESS:
        last = max(filter(None, [project.last_update, timezone.localdate(project.created_at)]))
        idle = (today - last).days
        if idle >= policy.no_update_days:
            target = last + timedelta(days=policy.no_update_days * (idle // policy.no_update_days))
            stages.append(Stage(project, ReminderKind.NO_UPDATE, NotificationLevel.YELLOW, target))
    return stages


@dataclass
class _Plan:
    counts: dict
    stages: list[Stage]
    digest: dict[str, list[Project]]


def _plan(*, today: date, policy: ReminderPolicy) -> _Plan:
    """Every stage due today with its recipients, and the digest lists, in a fixed number of queries."""
    counts: dict = {"date": today.isoformat(), **dict.fromkeys(RUN_KEYS, 0)}
    society_users = society_accounts()
    secretariat = people(users_with_role(Role.SECRETARIAT))
    leaders = people(users_with_role(Role.LEADER))
    week_end = today + timedelta(days=6 - today.weekday())
    digest: dict[str, list[Project]] = {"due_this_week": [], "overdue": [], "escalated": [], "red": [], "no_update": []}
    stages: list[Stage] = []
    project_contacts = open_project_contacts()
    for project in open_projects(contacts=False):
        own, line = project_contacts.get(project.pk, ([], ""))
        project._reminder_contact = line or project.contact or "-"  # what contact_line() gives
        contacts = merge(people(society_users.get(project.society_id, [])), own)
        if project.due_end and today <= project.due_end <= week_end:
            digest["due_this_week"].append(project)
        found = project_stages(project, today=today, policy=policy)
        kinds = {stage.kind for stage in found}
        if project.due_end and project.due_end < today:
            counts["overdue"] += 1
            digest["overdue"].append(project)
        for kind, name in ((ReminderKind.DUE_SOON, "due_soon"), (ReminderKind.DUE_TODAY, "due_today"),
                           (ReminderKind.ESCALATED, "escalated"), (ReminderKind.NO_UPDATE, "no_update")):
            counts[name] += kind in kinds
        for kind, name in ((ReminderKind.ESCALATED, "escalated"), (ReminderKind.RED, "red"),
                           (ReminderKind.NO_UPDATE, "no_update")):
            if kind in kinds:
                digest[name].append(project)
        for stage in found:
            if stage.kind in CONTACT_KINDS:
                stage.recipients = contacts
                counts["unreachable"] += not any(r.email for r in contacts)
            elif stage.kind == ReminderKind.ESCALATED:
                chair = [Recipient(None, project.society.chair_email.strip())] if project.society.chair_email else []
                stage.recipients = merge(secretariat, chair)
            else:
                stage.recipients = leaders
            stages.append(stage)
    digest["recipients"] = merge(secretariat, leaders) if today.weekday() == policy.digest_weekday else []
    return _Plan(counts, stages, digest)


def _digest_sections(digest: dict) -> list[tuple[str, list[Project]]]:
    return [
        (gettext("Due this week"), digest["due_this_week"]),
        (gettext("Overdue"), digest["overdue"]),
        (gettext("Escalated to the society chair and secretariat"), digest["escalated"]),
        (gettext("Red list (leadership)"), digest["red"]),
        (gettext("No progress update"), digest["no_update"]),
    ]


@dataclass
class AttentionRow:
    """One project on the 催办 page: its most advanced stage, how late it is, and whom to call."""

    project: Project
    stage: str
    late: int
    red: bool
    contact: str


def _attention_rows(digest: dict, today: date) -> list[AttentionRow]:
    """Every project of the digest's lists once, in the order of its most advanced stage (red list first)."""
    labels = [("red", gettext("Red list (leadership)")), ("escalated", gettext("Escalated")),
              ("overdue", gettext("Overdue")), ("due_this_week", gettext("Due this week")),
              ("no_update", gettext("No progress update"))]
    rows, seen = [], set()
    for name, label in labels:
        for project in digest[name]:
            if project.pk in seen:
                continue
            seen.add(project.pk)
            late = (today - project.due_end).days if project.due_end and project.due_end < today else 0
            rows.append(AttentionRow(project, label, late, name == "red", contact_line(project)))
    return rows


def reminder_overview(*, today: date, limit: int = 20) -> dict:
    """The weekly digest's lists as of ``today`` for the 催办 page: ``sections`` of (label, the first ``limit``
    projects, how many in all) and ``rows``, each of those projects once at its most advanced stage. Read-only and
    bounded: the same selection as the daily run's digest (``_plan``), made in the database — one query for the
    counts and one per list, whatever the number of projects."""
    policy = ReminderPolicy.current()
    week_end = today + timedelta(days=6 - today.weekday())
    overdue = Q(due_end__lt=today)
    quiet_since = today - timedelta(days=policy.no_update_days)
    quiet_start = timezone.make_aware(datetime.combine(quiet_since + timedelta(days=1), datetime.min.time()))
    conditions = {
        "due_this_week": Q(due_end__gte=today, due_end__lte=week_end),
        "overdue": overdue,
        "escalated": overdue & Q(due_end__lte=today - timedelta(days=policy.escalate_after_days)),
        "red": overdue & Q(due_end__lte=today - timedelta(days=policy.red_after_days)),
        "no_update": Q(status=ProjectStatus.IN_PROGRESS, created_at__lt=quiet_start) & ~Q(Exists(
            ProgressUpdate.objects.filter(project=OuterRef("pk"), happened_on__gt=quiet_since))),
    }
    projects = Project.objects.exclude(status__in=ProjectStatus.closed()).filter(
        Q(due_end__isnull=False) | Q(status=ProjectStatus.IN_PROGRESS))
    counts = projects.aggregate(**{name: Count("pk", filter=condition) for name, condition in conditions.items()})
    # The last update as a subquery (not a grouped join), so that each list stops at ``limit`` rows.
    last_update = ProgressUpdate.objects.filter(project=OuterRef("pk")).order_by().values("project").annotate(
        last=Max("happened_on")).values("last")[:1]
    projects = projects.select_related("society").annotate(last_update=Subquery(last_update)).order_by(
        "due_end", "pk")
    rows = {name: list(projects.filter(condition)[:limit]) for name, condition in conditions.items()}
    prefetch_related_objects(list({p.pk: p for found in rows.values() for p in found}.values()), Prefetch(
        "contacts", Contact.objects.select_related("user").order_by("pk")))  # contact lines: one query in all
    return {"sections": [(label, found, counts[name]) for (label, found), name in zip(_digest_sections(rows),
                                                                                     conditions)],
            "rows": _attention_rows(rows, today), "limit": limit}


def _digest_text(digest: dict, today: date) -> tuple[str, str]:
    def block(label: str, projects: list[Project]) -> str:
        lines = ["{} ({})".format(label, len(projects))]
        lines += ["  - {} · {} · {}".format(p.society.name, p.title, p.due_end or "-") for p in projects[:30]]
        if len(projects) > 30:
            lines.append("  " + gettext("… and {count} more").format(count=len(projects) - 30))
        return "\n".join(lines)

    title = gettext("Weekly reminder digest, {date}").format(date=today.isoformat())
    body = "\n\n".join(block(label, projects) for label, projects in _digest_sections(digest))
    return title, body


def _preferences() -> dict[int, str]:
    """Each account's choice of reminder messages, where it is not the default (one message a day)."""
    return dict(Profile.objects.exclude(message_preference=MessagePreference.DAILY)
                .values_list("user_id", "message_preference"))


def send_reminders(*, today: date | None = None, dry_run: bool = False) -> dict:
    """The daily job: send every reminder due on ``today`` (default: today in Beijing) that was not sent before,
    as one message per person (each person's items in sections; one message per item for a person who chose
    "immediate") and one message per society's group robot.

    Returns the counts ``{"date", "due_soon", "due_today", "overdue", "escalated", "no_update", "notifications",
    "emails", "webhooks", "already_sent", "unreachable", "recipients", "items"}``: stage counts are projects;
    ``notifications``, ``emails`` and ``webhooks`` count messages; ``recipients`` the people who got one;
    ``items`` the ledger rows written (one per project, stage and recipient); ``already_sent`` the items the
    ledger already held; ``unreachable`` reminders whose recipients have no e-mail address. Side effects, unless
    ``dry_run``: in one transaction, Notification, WebhookDelivery and ReminderLedger rows and today's ReminderRun;
    after commit, delivery tasks. Concurrent runs are serialised on the policy row, so two beat processes or a
    rerun never send twice.
    """
    today = today or local_today()
    policy = ReminderPolicy.current()
    with transaction.atomic():
        # The lock that serialises concurrent runs (SQLite: the IMMEDIATE transaction already holds the write lock).
        policy = ReminderPolicy.objects.select_for_update().get(pk=policy.pk)
        if not policy.enabled:
            return {"date": today.isoformat(), **dict.fromkeys(RUN_KEYS, 0)}
        plan = _plan(today=today, policy=policy)
        counts = plan.counts
        with translation.override(settings.LANGUAGE_CODE):
            items: list[Item] = []
            robots = []  # (key, society, stage)
            for stage in plan.stages:
                items += [Item(stage.key(recipient.key), recipient, stage) for recipient in stage.recipients]
                society: Society = stage.project.society
                if stage.kind in CONTACT_KINDS and society.webhook_url:
                    robots.append((stage.key("webhook:{}".format(society.pk)), society, stage))
            for section in DAILY_SECTIONS:
                items += section(today=today)
            if plan.digest["recipients"]:
                digest = _digest_text(plan.digest, today)
                items += [Item(ledger_key(DIGEST, 0, ReminderKind.DIGEST, 0, today, recipient.key), recipient,
                               digest=digest) for recipient in plan.digest["recipients"]]
            taken = existing_keys([item.key for item in items] + [key for key, _society, _stage in robots])
            fresh = [item for item in items if item.key not in taken]
            letters = person_messages(fresh, today=today, policy=policy, preferences=_preferences())
            hooks = robot_messages([robot for robot in robots if robot[0] not in taken], today=today, policy=policy)
        counts |= send_bundles(letters, hooks, dry_run=dry_run)
        counts |= {"already_sent": len(items) - len(fresh), "recipients": len({row.recipient_id or row.email
                                                                                for _keys, row in letters})}
        if dry_run:
            return counts
        run, created = ReminderRun.objects.get_or_create(date=today, defaults={"runs": 1, "counts": counts})
        if not created:
            ReminderRun.objects.filter(pk=run.pk).update(runs=models.F("runs") + 1, last_run_at=timezone.now(),
                                                         counts=counts)
    return counts


def catch_up_reminders(*, now: datetime | None = None, stale_after: timedelta = timedelta(minutes=5)) -> dict:
    """Run today's reminders if the send time has passed and they did not run (the beat's message was lost, e.g.
    while Redis was down), and re-drive deliveries pending for longer than ``stale_after``.

    Returns ``{"ran": bool, "redriven": n}``. Side effects: those of ``send_reminders`` and ``redrive_pending``.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    policy = ReminderPolicy.current()
    ran = False
    if policy.enabled and local.time() >= policy.send_time and not ReminderRun.objects.filter(date=local.date()).exists():
        send_reminders(today=local.date())
        ran = True
    return {"ran": ran, "redriven": redrive_pending(older_than=now - stale_after)}


# --- the beat schedule ------------------------------------------------------------------------------------------

DAILY_TASK = "sanlian: daily deadline reminders"
CATCH_UP_TASK = "sanlian: reminders catch-up"
CATCH_UP_MINUTES = 10
# The beat entries that run every day at the policy's send time: {entry name: registered task name}. Apps above
# add theirs with ``register_daily_task`` (meetings: the decision reminders).
DAILY_TASKS = {DAILY_TASK: "sanlian.projects.send_reminders"}


def register_daily_task(name: str, task: str) -> None:
    """Run the Celery task ``task`` every day at the reminder policy's send time (beat entry ``name``)."""
    DAILY_TASKS[name] = task


def sync_reminder_schedule(*, policy: ReminderPolicy | None = None, apps=None) -> None:
    """Make django-celery-beat's schedule follow the policy: the daily tasks at the send time (Beijing time) and a
    catch-up every ten minutes. Side effects: CrontabSchedule, IntervalSchedule and PeriodicTask rows (beat
    reloads them)."""
    from django.apps import apps as global_apps

    models_of = (apps or global_apps).get_model
    CrontabSchedule, IntervalSchedule, PeriodicTask = (  # noqa: N806 (the migration passes historical models)
        models_of("django_celery_beat", name) for name in ("CrontabSchedule", "IntervalSchedule", "PeriodicTask")
    )
    policy = policy or ReminderPolicy.current()
    with transaction.atomic():
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=str(policy.send_time.minute), hour=str(policy.send_time.hour), day_of_week="*",
            day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE,
        )
        interval, _created = IntervalSchedule.objects.get_or_create(every=CATCH_UP_MINUTES,
                                                                    period="minutes")
        for name, task in DAILY_TASKS.items():
            PeriodicTask.objects.update_or_create(name=name, defaults={
                "task": task, "crontab": crontab, "interval": None, "kwargs": "{}", "enabled": policy.enabled,
                "description": "Daily; the time follows the reminder policy.",
            })
        PeriodicTask.objects.update_or_create(name=CATCH_UP_TASK, defaults={
            "task": "sanlian.projects.catch_up_reminders", "interval": interval, "crontab": None, "kwargs": "{}",
            "enabled": policy.enabled, "description": "Runs the day's reminders if they were missed.",
        })


@transaction.atomic
def update_reminder_policy(*, policy: ReminderPolicy) -> ReminderPolicy:
    """Save the policy (the admin's form) and move the beat schedule with it."""
    policy.save()
    sync_reminder_schedule(policy=policy)
    return policy


# --- who cannot be reached; calendar feeds ----------------------------------------------------------------------


def unreachable() -> dict[str, list]:
    """Who reminders cannot reach by e-mail: society contact accounts and project contacts without an address,
    and open projects with nobody to remind at all. A fixed number of queries."""
    society_users = society_accounts()
    users = [user for group in society_users.values() for user in group if not user.email.strip()]
    projects = list(open_projects())
    contacts, nobody = {}, []
    for project in projects:
        for contact in project.contacts.all():
            if not contact.email.strip() and not (contact.user and contact.user.email.strip()):
                contacts.setdefault(contact.pk, (contact, []))[1].append(project)
        if not project_recipients(project, society_users):
            nobody.append(project)
    societies = {s.pk: s for s in Society.objects.filter(pk__in={u.society_pk for u in users})}
    return {
        "users": [(user, societies.get(user.society_pk)) for user in sorted(users, key=lambda u: u.username)],
        "contacts": sorted(contacts.values(), key=lambda item: item[0].name),
        "projects": nobody,
    }


def get_or_create_feed(*, user: User) -> CalendarFeed:
    return CalendarFeed.objects.get_or_create(user=user)[0]


@transaction.atomic
def revoke_feed(*, user: User) -> CalendarFeed:
    """Replace the user's feed address by a new one; the old address answers 404 from now on."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)


def calendar_ics(*, feed: CalendarFeed) -> str:
    """The iCalendar text of the deadlines of the projects the feed's user may see (open ones, with a due date)."""
    projects = (
        Project.objects.for_user(feed.user).exclude(status__in=ProjectStatus.closed()).filter(due_end__isnull=False)
        .select_related("society").distinct().order_by("due_end", "pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        events = [
            Event(uid="project-{}-{}".format(project.pk, project.due_end.isoformat()), start=project.due_end,
                  summary=gettext("Due: {title}").format(title=project.title), path=project.get_absolute_url(),
                  description="{} · {} · {}".format(project.society.name, project.due_text,
                                                    project.get_status_display()))
            for project in projects
        ]
        return calendar(events, product="reminders", name=gettext("Project deadlines"))
