"""The key-project list: projects of a year, their linked units, task force, progress updates and attachments."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from societies.models import Contact, District, Partner, Society, UpperUnit, name_key

from .choices import ProjectStatus


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user) -> "ProjectQuerySet":
        """The projects this user may see: the one access entry point (rules in ``projects.access``)."""
        from .access import project_filter

        condition = project_filter(user)
        return self if condition is None else self.filter(condition)

    def with_links(self) -> "ProjectQuerySet":
        """Society and linked units in a fixed number of queries, whatever the number of projects."""
        return self.select_related("society").prefetch_related(
            models.Prefetch("district_links", ProjectDistrict.objects.select_related("district")),
            models.Prefetch("upper_unit_links", ProjectUpperUnit.objects.select_related("upper_unit")),
            models.Prefetch("partner_links", ProjectPartner.objects.select_related("partner")),
        )

    def in_list_order(self) -> "ProjectQuerySet":
        return self.order_by("year", "position", "id")

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
        Partner, verbose_name=_("partners"), through="ProjectPartner", related_name="projects", blank=True
    )
    due_text = models.CharField(_("due (as typed)"), max_length=100, blank=True)
    due_start = models.DateField(_("due window start"), null=True, blank=True)
    due_end = models.DateField(_("due window end"), null=True, blank=True, db_index=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    contacts = models.ManyToManyField(Contact, verbose_name=_("contact people"), blank=True, related_name="projects")
    remarks = models.TextField(_("remarks"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        ordering = ["year", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "society", "title_key"], name="project_unique_title_per_society_year")
        ]

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

    # Linked units in their list order, from the prefetched links (see ProjectQuerySet.with_links).
    @property
    def district_list(self) -> list[District]:
        return [link.district for link in self.district_links.all()]

    @property
    def upper_unit_list(self) -> list[UpperUnit]:
        return [link.upper_unit for link in self.upper_unit_links.all()]

    @property
    def partner_list(self) -> list[Partner]:
        return [link.partner for link in self.partner_links.all()]


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

    class Meta(ProjectLink.Meta):
        verbose_name = _("linked district association")
        verbose_name_plural = _("linked district associations")
        constraints = [models.UniqueConstraint(fields=["project", "district"], name="project_district_once")]


class ProjectUpperUnit(ProjectLink):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="upper_unit_links")
    upper_unit = models.ForeignKey(UpperUnit, verbose_name=_("upper-level unit"), on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta(ProjectLink.Meta):
        verbose_name = _("linked upper-level unit")
        verbose_name_plural = _("linked upper-level units")
        constraints = [models.UniqueConstraint(fields=["project", "upper_unit"], name="project_upper_unit_once")]


class ProjectPartner(ProjectLink):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partner_links")
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta(ProjectLink.Meta):
        verbose_name = _("linked partner")
        verbose_name_plural = _("linked partners")
        constraints = [models.UniqueConstraint(fields=["project", "partner"], name="project_partner_once")]


class TaskForce(models.Model):
    """The project's dedicated task force (专班): goal, measures and who is responsible in each linked unit."""

    project = models.OneToOneField(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="task_force")
    goal = models.TextField(_("goal"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    leader = models.CharField(_("task force leader"), max_length=100, blank=True)
    history = HistoricalRecords()

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

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return "{} {}".format(self.project, self.happened_on)


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: the stored path never reveals or trusts the uploaded name.
    return "attachments/{}/{}{}".format(timezone.now().strftime("%Y/%m"), uuid.uuid4().hex, PurePath(filename).suffix.lower())


class Attachment(models.Model):
    """Evidence attached to a progress update, stored privately and served only through an access check."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="attachments")
    update = models.ForeignKey(
        ProgressUpdate, verbose_name=_("progress update"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("projects:attachment", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
