"""Enterprise technology needs (需求台账): the need, the experts and upper-level units assigned to it, and the
visits that served it (each visit is also an expert service in the expert's ledger)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.models import ActivityOutcome, Project
from sanlian.access import ScopedManager
from societies.models import District, Expert, Industry, Partner, Society, UpperUnit, name_key

from .choices import NeedKind, NeedStatus, Urgency


class Need(models.Model):
    """A technology need of an enterprise, collected by a district association or a society (or the secretariat);
    keyed by enterprise + title (the title by its matching key)."""

    partner = models.ForeignKey(Partner, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="needs")
    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT,
                                 related_name="needs")
    industry = models.ForeignKey(Industry, verbose_name=_("“6+3” industry"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="needs")
    kind = models.CharField(_("kind of need"), max_length=20, choices=NeedKind.choices, default=NeedKind.RESEARCH)
    title = models.CharField(_("need"), max_length=300)
    title_key = models.CharField(_("matching key"), max_length=300, editable=False)
    description = models.TextField(_("description"))
    contact_name = models.CharField(_("enterprise contact"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    collected_on = models.DateField(_("collected on"), db_index=True)
    collected_by_district = models.ForeignKey(District, verbose_name=_("collected by (district)"), null=True,
                                              blank=True, on_delete=models.SET_NULL, related_name="collected_needs")
    collected_by_society = models.ForeignKey(Society, verbose_name=_("collected by (society)"), null=True,
                                             blank=True, on_delete=models.SET_NULL, related_name="collected_needs")
    project = models.ForeignKey(Project, verbose_name=_("key project"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="needs")
    status = models.CharField(_("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.COLLECTED,
                              db_index=True)
    reason = models.TextField(_("reason not solved"), blank=True)
    matched_on = models.DateField(_("matched on"), null=True, blank=True)
    visited_on = models.DateField(_("first visited on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    feedback = models.TextField(_("enterprise feedback"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("technology need")
        verbose_name_plural = _("technology needs")
        ordering = ["-collected_on", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["partner", "title_key"], name="need_unique_per_enterprise",
            violation_error_message=_("This enterprise already has a need with this title."))]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.title_key = name_key(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("needs:detail", args=[self.pk])

    @property
    def collected_by(self):
        return self.collected_by_district or self.collected_by_society

    @property
    def is_closed(self) -> bool:
        return self.status in NeedStatus.closed()


class NeedMatch(models.Model):
    """An expert or an upper-level unit assigned to a need (对接)."""

    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="matches")
    expert = models.ForeignKey(Expert, verbose_name=_("expert"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="need_matches")
    upper_unit = models.ForeignKey(UpperUnit, verbose_name=_("upper-level unit"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="need_matches")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    assigned_on = models.DateField(_("assigned on"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["need", "expert"], name="need_match_expert_once"),
            models.UniqueConstraint(fields=["need", "upper_unit"], name="need_match_unit_once"),
        ]

    def __str__(self) -> str:
        return str(self.expert or self.upper_unit)


class NeedVisit(models.Model):
    """A visit (走访) that served a need: an expert service, in the ledger of each expert named; linked to the
    project's outcome of kind service when the need belongs to a key project."""

    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="visits")
    held_on = models.DateField(_("date held"), db_index=True)
    experts = models.ManyToManyField(Expert, verbose_name=_("experts"), blank=True, related_name="need_visits")
    person_times = models.PositiveIntegerField(_("experts involved (person-times)"), default=0)
    notes = models.TextField(_("what was done"), blank=True)
    outcome = models.OneToOneField(ActivityOutcome, verbose_name=_("activity outcome"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="need_visit")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return "{} {}".format(self.held_on, self.need)
