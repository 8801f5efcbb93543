"""The key-project list: projects of a year, their linked units, task force, progress updates and attachments."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sanlian.access import ScopedManager, ScopedQuerySet
from sanlian.bounds import count_constraint, count_validators
from sanlian.site import absolute_url
from sanlian.uploads import StoredFile, private_name
from societies.models import (
    Contact,
    District,
    Expert,
    Industry,
    Partner,
    Society,
    UpperUnit,
    name_key,
)

from .choices import (
    DeliveryState,
    NotificationLevel,
    OutcomeKind,
    ProjectStatus,
    ReviewStatus,
)
from .instruction_models import Instruction, InstructionFile, InstructionReply, InstructionStatus  # noqa: F401
from .reminder_models import CalendarFeed, ReminderPolicy, ReminderRun, new_feed_token  # noqa: F401

# "My projects" shows the overdue projects first, then the others by status in this order.
STATUS_GROUP_ORDER = (ProjectStatus.DELAYED, ProjectStatus.IN_PROGRESS, ProjectStatus.PLANNED, ProjectStatus.DONE,
                      ProjectStatus.CANCELLED)


def status_group(today) -> models.Case:
    """The group of a project in "my projects": 0 when overdue on ``today``, else 1 + its status's place."""
    overdue = models.Q(due_end__lt=today) & ~models.Q(status__in=ProjectStatus.closed())
    return models.Case(
        models.When(overdue, then=0),
        *(models.When(status=status, then=place + 1) for place, status in enumerate(STATUS_GROUP_ORDER)),
        default=len(STATUS_GROUP_ORDER) + 1, output_field=models.IntegerField(),
    )


class ProjectQuerySet(ScopedQuerySet):
    """Projects; ``for_user`` applies the rule of ``projects.access``."""

    def with_links(self) -> "ProjectQuerySet":
        """Society and linked units in a fixed number of queries, whatever the number of projects."""
        # into plain lists (``to_attr``): a prefetch into the related managers builds a queryset per project and
        # link kind (150 clones on a list page of 50), the lists are what the pages read (``district_list`` …)
        return self.select_related("society").prefetch_related(
            models.Prefetch("district_links", ProjectDistrict.objects.select_related("district"),
                            to_attr="prefetched_district_links"),
            models.Prefetch("upper_unit_links", ProjectUpperUnit.objects.select_related("upper_unit"),
                            to_attr="prefetched_upper_unit_links"),
            models.Prefetch("partner_links", ProjectPartner.objects.select_related("partner"),
                            to_attr="prefetched_partner_links"),
        )

    def in_list_order(self) -> "ProjectQuerySet":
        return self.order_by("year", "position", "id")

    def in_status_groups(self, today) -> "ProjectQuerySet":
        """Ordered by ``list_group`` (0 overdue, then the statuses in ``STATUS_GROUP_ORDER``), then due date."""
        return self.annotate(list_group=status_group(today)).order_by("list_group", "due_end", "position", "id")

    def overdue(self, today=None) -> "ProjectQuerySet":
        today = today or timezone.localdate()
        return self.filter(due_end__lt=today).exclude(status__in=ProjectStatus.closed())


class Project(models.Model):
    """A key reform-brand project or featured activity (重点改革品牌项目/重要特色活动) of one year's list."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    seq = models.PositiveSmallIntegerField(_("society number"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position in the list"), default=0)
    society = models.ForeignKey(Society, verbose_name=_("lead society"), on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("title"), max_length=500)
    title_key = models.CharField(_("title matching key"), max_length=500, editable=False)
    districts = models.ManyToManyField(
        District, verbose_name=_("district associations"), through="ProjectDistrict", related_name="projects", blank=True
    )
    upper_units = models.ManyToManyField(
        UpperUnit, verbose_name=_("upper-level units"), through="ProjectUpperUnit", related_name="projects", blank=True
    )
    partners = models.ManyToManyField(
        Partner, verbose_name=_("partners"), through="ProjectPartner", related_name="projects", blank=True)
    due_text = models.CharField(_("due (as typed)"), max_length=100, blank=True)
    due_start = models.DateField(_("due window start"), null=True, blank=True)
    due_end = models.DateField(_("due window end"), null=True, blank=True, db_index=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    contacts = models.ManyToManyField(Contact, verbose_name=_("contact people"), blank=True, related_name="projects")
    remarks = models.TextField(_("remarks"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    delayed_to = models.DateField(_("delayed to"), null=True, blank=True,
                                  help_text=_("The new expected date given with “Delayed”; reminders use it."))
    delay_reason = models.TextField(_("reason for the delay"), blank=True)
    cancel_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cancellation requested by"),
                                            null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancel_requested_at = models.DateTimeField(_("cancellation requested at"), null=True, blank=True, db_index=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True,
                                     help_text=_("A contact's “Cancelled” waits for the secretariat's approval."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+")
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        ordering = ["year", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "society", "title_key"], name="project_unique_title_per_society_year")
        ]
        # The dashboard's per-society counts and the reminder lists read these columns only (an index-only scan),
        # and the list's order (a page of 50 is read from the index, not sorted out of every project).
        indexes = [models.Index(fields=["year", "society", "status", "due_end"], name="project_year_society_status"),
                   models.Index(fields=["year", "position", "id"], name="project_list_order")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.title_key = name_key(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_end and self.due_end < timezone.localdate() and self.status not in ProjectStatus.closed())

    # Linked units in their list order, from the prefetched links (see ProjectQuerySet.with_links), else a query.
    def _links(self, name: str) -> list:
        prefetched = self.__dict__.get("prefetched_" + name)
        return prefetched if prefetched is not None else list(getattr(self, name).all())

    @property
    def district_list(self) -> list[District]:
        return [link.district for link in self._links("district_links")]

    @property
    def upper_unit_list(self) -> list[UpperUnit]:
        return [link.upper_unit for link in self._links("upper_unit_links")]

    @property
    def partner_list(self) -> list[Partner]:
        return [link.partner for link in self._links("partner_links")]


class ProjectLink(models.Model):
    """A linked unit of a project, in the order the list names it."""

    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]


class ProjectDistrict(ProjectLink):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="district_links")
    district = models.ForeignKey(District, verbose_name=_("district association"), on_delete=models.PROTECT)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta(ProjectLink.Meta):
        verbose_name = _("linked district association")
        verbose_name_plural = _("linked district associations")
        constraints = [models.UniqueConstraint(fields=["project", "district"], name="project_district_once")]


class ProjectUpperUnit(ProjectLink):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="upper_unit_links")
    upper_unit = models.ForeignKey(UpperUnit, verbose_name=_("upper-level unit"), on_delete=models.PROTECT)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta(ProjectLink.Meta):
        verbose_name = _("linked upper-level unit")
        verbose_name_plural = _("linked upper-level units")
        constraints = [models.UniqueConstraint(fields=["project", "upper_unit"], name="project_upper_unit_once")]


class ProjectPartner(ProjectLink):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partner_links")
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta(ProjectLink.Meta):
        verbose_name = _("linked partner")
        verbose_name_plural = _("linked partners")
        constraints = [models.UniqueConstraint(fields=["project", "partner"], name="project_partner_once")]


@dataclass(frozen=True)
class LinkKind:
    """One kind of organisation a project names: its model, the project's link model and the link's field."""

    key: str
    model: type[models.Model]
    link: type[models.Model] | None = None
    link_field: str = ""


LINK_KINDS = (
    LinkKind("districts", District, ProjectDistrict, "district"),
    LinkKind("upper_units", UpperUnit, ProjectUpperUnit, "upper_unit"),
    LinkKind("partners", Partner, ProjectPartner, "partner"),
)


class TaskForce(models.Model):
    """The project's dedicated task force (专班): goal, measures and who is responsible in each linked unit."""

    project = models.OneToOneField(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="task_force")
    goal = models.TextField(_("goal"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    leader = models.CharField(_("task force leader"), max_length=100, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")

    def __str__(self) -> str:
        return str(self.project)


class TaskForceMember(models.Model):
    """The person responsible in one linked unit, and for what."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="members")
    unit_name = models.CharField(_("unit"), max_length=200)
    person = models.CharField(_("responsible person"), max_length=100)
    duty = models.CharField(_("responsibility"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("task force member")
        verbose_name_plural = _("task force members")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return "{}: {}".format(self.unit_name, self.person)


class ProgressUpdate(models.Model):
    """A progress report on a project, posted by its society's contact or the secretariat."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    link = models.URLField(_("news link"), blank=True)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return "{} {}".format(self.project, self.happened_on)


class Confirmable(models.Model):
    """What a contact enters and the secretariat confirms before it counts: the confirmation, who entered it, who
    reviewed it and when (outcomes, organisation records, own activities)."""

    review = models.CharField(_("confirmation"), max_length=20, choices=ReviewStatus.choices,
                              default=ReviewStatus.PENDING, db_index=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("reason for the rejection"), blank=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        abstract = True


class ActivityOutcome(Confirmable):
    """What an activity of a project achieved (活动成效): the numbers the targets are counted from."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="outcomes")
    held_on = models.DateField(_("date held"), db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    kind = models.CharField(_("kind of activity"), max_length=20, choices=OutcomeKind.choices,
                            default=OutcomeKind.POPULARISATION)
    title = models.CharField(_("activity"), max_length=300)
    participants = models.PositiveIntegerField(_("participants (person-times)"), default=0,
                                               validators=count_validators())
    expert_person_times = models.PositiveIntegerField(_("experts involved (person-times)"), default=0,
                                                      validators=count_validators())
    experts = models.ManyToManyField(Expert, verbose_name=_("experts"), blank=True, related_name="outcomes")
    industries = models.ManyToManyField(Industry, verbose_name=_("“6+3” industries served"), blank=True,
                                        related_name="outcomes")
    served_count = models.PositiveIntegerField(_("enterprises and key projects served"), default=0,
                                               validators=count_validators())
    served_names = models.TextField(_("who was served"), blank=True)
    upper_units = models.ManyToManyField(UpperUnit, verbose_name=_("upper-level units that took part"), blank=True,
                                         related_name="outcomes")
    news_link = models.URLField(_("news link"), blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords(m2m_fields=[upper_units])

    objects = ScopedManager()

    class Meta:
        verbose_name = _("activity outcome")
        verbose_name_plural = _("activity outcomes")
        ordering = ["-held_on", "-id"]
        constraints = [count_constraint("participants", "outcome_participants_bounded"),
                       count_constraint("expert_person_times", "outcome_expert_person_times_bounded"),
                       count_constraint("served_count", "outcome_served_count_bounded")]
        # The dashboard's sums over the year's confirmed outcomes (rankings, targets, the measure table) read these
        # columns only: SQLite answers them from the index alone instead of a table look-up per row (measured at
        # 5,000 demo projects: the cold dashboard's SQL 34 → 28 ms); PostgreSQL may scan it index-only once vacuumed.
        indexes = [models.Index(fields=["review", "held_on", "project", "kind", "participants", "expert_person_times",
                                        "served_count"], name="outcome_dashboard")]

    def __str__(self) -> str:
        return "{} {}".format(self.held_on, self.title)

    def get_absolute_url(self) -> str:
        return reverse("projects:outcome", args=[self.pk])


def attachment_path(instance: "Attachment", filename: str) -> str:
    return private_name("attachments", filename)


class Attachment(StoredFile):
    """Evidence attached to a progress update, stored privately and served only through an access check."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="attachments")
    update = models.ForeignKey(
        ProgressUpdate, verbose_name=_("progress update"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="attachments",
    )
    outcome = models.ForeignKey(
        ActivityOutcome, verbose_name=_("activity outcome"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def get_absolute_url(self) -> str:
        return reverse("projects:attachment", args=[self.pk])


# --- reminders (催办) and notifications -------------------------------------------------------------------------


class Notification(models.Model):
    """One message to one person: shown in the notification centre (with a user) and e-mailed (with an address)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    kind = models.CharField(_("kind"), max_length=40)
    level = models.CharField(_("colour"), max_length=10, choices=NotificationLevel.choices, default=NotificationLevel.INFO)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_state = models.CharField(
        _("e-mail"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.NONE, db_index=True
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    email_error = models.TextField(_("last e-mail error"), blank=True)
    calendar = models.TextField(_("calendar attachment"), blank=True,
                                help_text=_("iCalendar text attached to the e-mail (meeting invitations)."))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def absolute_url(self) -> str:
        """The link for e-mail and webhooks, where a relative one means nothing."""
        return absolute_url(self.url)


class WebhookDelivery(models.Model):
    """A message to a society's WeCom / DingTalk group robot, retried with back-off; never blocks e-mail."""

    society = models.ForeignKey(Society, verbose_name=_("society"), on_delete=models.CASCADE, related_name="+")
    url = models.URLField(_("webhook"), max_length=500)
    text = models.TextField(_("message"))
    markdown = models.BooleanField(_("markdown"), default=False, help_text=_("Sent as the robot's markdown message."))
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return "{} · {}".format(self.society, self.get_state_display())


class ReminderLedger(models.Model):
    """What has been sent: one row per (subject, kind, step, target date, recipient), never two. Written in the same
    transaction as the notification or webhook delivery it records, so a second run, a second beat process or a
    redelivered task finds the key taken and sends nothing. The target date is part of the key: moving a project's
    due window re-arms its reminders."""

    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    kind = models.CharField(_("kind"), max_length=40)
    step = models.SmallIntegerField(_("step"), default=0, help_text=_("Days before the due date, for early reminders."))
    target_date = models.DateField(_("target date"))
    recipient_key = models.CharField(_("recipient"), max_length=300)
    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    webhook = models.ForeignKey(
        WebhookDelivery, verbose_name=_("webhook delivery"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("reminder ledger entry")
        verbose_name_plural = _("reminder ledger")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind", "step", "target_date", "recipient_key"],
                name="reminder_ledger_once",
            )
        ]
        indexes = [models.Index(fields=["target_date", "kind"], name="reminder_ledger_target")]

    def __str__(self) -> str:
        return "{} {} {} {}".format(self.subject_type, self.subject_id, self.kind, self.target_date)


class Urge(models.Model):
    """A 催办 pressed by hand by the secretariat: the society's contacts are told at once; once per project a day."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="urges")
    on_date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pressed by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("pressed at"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("reminder by hand")
        verbose_name_plural = _("reminders by hand")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "on_date"], name="urge_once_a_day")]

    def __str__(self) -> str:
        return "{} {}".format(self.project, self.on_date)
