"""Organisation records and target definitions: what the plan's targets are counted from, and the targets."""

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sanlian.access import ScopedManager
from sanlian.bounds import count_constraint, count_validators

from meetings.models import half_label
from projects.models import Confirmable, Project
from societies.models import District, Society

from .choices import PeriodKind, RecordKind


class OrganisationRecord(Confirmable):
    """Something that happened to the organisations (a society founded, members taken in, a brand designated …)."""

    kind = models.CharField(_("kind of record"), max_length=30, choices=RecordKind.choices, db_index=True)
    happened_on = models.DateField(_("date"), db_index=True)
    title = models.CharField(_("name or subject"), max_length=300)
    society = models.ForeignKey(Society, verbose_name=_("society"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="records")
    district = models.ForeignKey(District, verbose_name=_("district association"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="records")
    project = models.ForeignKey(Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="records")
    count = models.PositiveIntegerField(_("number (e.g. new members)"), default=1,
                                        validators=[MinValueValidator(0), *count_validators()])
    issuing_body = models.CharField(_("issuing body"), max_length=200, blank=True)
    document = models.CharField(_("document (number or link)"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("organisation record")
        verbose_name_plural = _("organisation records")
        ordering = ["-happened_on", "-id"]
        constraints = [count_constraint("count", "record_count_bounded")]

    def __str__(self) -> str:
        return "{} · {}".format(self.get_kind_display(), self.title)

    def get_absolute_url(self) -> str:
        return reverse("reports:record", args=[self.pk])


class TargetDefinition(models.Model):
    """A target of the plan as data: what it counts (a rule from ``reports.targets.RULES``), the threshold and
    the period; the secretariat changes thresholds and adds targets from the same rules without code."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=60, blank=True,
        help_text=_("What leaders and contacts read in charts, tables and reports, e.g. 新增市级学会."))
    unit = models.CharField(
        _("unit"), max_length=10, blank=True,
        help_text=_("The unit of the threshold (个, 人, 家, 场次 …): with a unit the shown name ends with the "
                    "threshold, e.g. 新增市级学会（≥5个）, and follows it when the threshold changes."))
    rule = models.CharField(_("counting rule"), max_length=40)
    kinds = models.CharField(_("kinds counted"), max_length=200, blank=True,
                             help_text=_("Comma-separated record or activity kinds; empty counts every kind."))
    threshold = models.PositiveIntegerField(_("threshold"), validators=[MinValueValidator(1)])
    period = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.YEAR)
    plan_start = models.DateField(_("plan start"), default=date(2024, 4, 29))
    plan_end = models.DateField(_("plan end"), default=date(2027, 4, 28))
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return "{} {}".format(self.code, self.name)

    def kind_list(self) -> list[str]:
        return [kind.strip() for kind in self.kinds.split(",") if kind.strip()]

    @property
    def label(self) -> str:
        """The name people read: the short name (the full name when there is none), with the threshold built in
        when the target has a unit, e.g. "市级改革品牌（每年≥10个）"."""
        base = self.short_name or self.name
        if not self.unit or not self.short_name:
            return base
        pattern = {PeriodKind.YEAR: _("{name} (every year ≥{threshold}{unit})"),
                   PeriodKind.HALF: _("{name} (every half year ≥{threshold}{unit})")}.get(
            self.period, _("{name} (≥{threshold}{unit})"))
        return str(pattern).format(name=base, threshold=self.threshold, unit=self.unit)


def report_path(instance: "ReportBuild", filename: str) -> str:
    return "reports/{}/{}-{}".format(instance.half, instance.pk or "new", filename)


class ReportBuild(models.Model):
    """One build of the half-yearly joint-meeting report: who asked, when, its progress and its two files. A build
    is a snapshot: a later build of the same half year keeps this one's files."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Building")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    half = models.CharField(_("half year"), max_length=6, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    xlsx = models.FileField(_("Excel workbook"), upload_to=report_path, blank=True, max_length=300)
    docx = models.FileField(_("Word document"), upload_to=report_path, blank=True, max_length=300)
    projects = models.PositiveIntegerField(_("projects"), default=0)
    targets = models.PositiveIntegerField(_("targets"), default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("report build")
        verbose_name_plural = _("report builds")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return "{} {}".format(self.half_label, self.get_status_display())

    @property
    def half_label(self) -> str:
        return half_label(self.half)
