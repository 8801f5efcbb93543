"""Evaluation rounds (评价方案 as data: period, units, indicators with weights, grade thresholds), the
secretariat's qualitative marks, the frozen results of a published round, and commendations (宣传表扬)."""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from meetings.models import Bulletin
from sanlian.access import ScopedManager
from societies.models import Contact, District, Expert, Society

from .choices import Evaluated, Grade, Half, NominationStep, NomineeKind, Normalisation, RoundStatus, UnitKind


class Round(models.Model):
    """One evaluation round: the period, which units are evaluated, the grade thresholds and (through
    ``indicators``) the scheme. Published rounds are frozen: their numbers live in ``Result`` rows."""

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    half = models.PositiveSmallIntegerField(_("period"), choices=Half.choices, default=Half.YEAR)
    evaluated = models.CharField(_("units evaluated"), max_length=20, choices=Evaluated.choices,
                                 default=Evaluated.BOTH)
    excellent_min = models.PositiveSmallIntegerField(_("excellent from (points)"), default=85)
    good_min = models.PositiveSmallIntegerField(_("good from (points)"), default=70)
    fair_min = models.PositiveSmallIntegerField(_("fair from (points)"), default=60)
    status = models.CharField(_("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-year", "-half", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluation:round", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == RoundStatus.PUBLISHED

    def period(self) -> tuple[date, date]:
        if self.half == Half.FIRST:
            return date(self.year, 1, 1), date(self.year, 6, 30)
        if self.half == Half.SECOND:
            return date(self.year, 7, 1), date(self.year, 12, 31)
        return date(self.year, 1, 1), date(self.year, 12, 31)

    def unit_kinds(self) -> list[str]:
        return {Evaluated.SOCIETIES: [UnitKind.SOCIETY], Evaluated.DISTRICTS: [UnitKind.DISTRICT]}.get(
            self.evaluated, [UnitKind.SOCIETY, UnitKind.DISTRICT])

    def grade_for(self, score: float) -> str:
        for grade, floor in ((Grade.EXCELLENT, self.excellent_min), (Grade.GOOD, self.good_min),
                             (Grade.FAIR, self.fair_min)):
            if score >= floor:
                return grade.value
        return Grade.POOR.value


class Indicator(models.Model):
    """An indicator of a round: a counting rule of ``evaluation.rules.RULES``, its weight (the weights of a
    round add up to 100) and how a value becomes points (share of the best unit, of a threshold, or a mark)."""

    round = models.ForeignKey(Round, verbose_name=_("evaluation round"), on_delete=models.CASCADE,
                              related_name="indicators")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    rule = models.CharField(_("counting rule"), max_length=40)
    weight = models.PositiveSmallIntegerField(_("weight"), validators=[MaxValueValidator(100)])
    normalisation = models.CharField(_("normalisation"), max_length=20, choices=Normalisation.choices,
                                     default=Normalisation.BEST)
    threshold = models.PositiveIntegerField(_("threshold"), null=True, blank=True,
                                            help_text=_("The value that earns full points (threshold normalisation)."))
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "code"], name="indicator_code_once_per_round")]

    def __str__(self) -> str:
        return self.name


class Mark(models.Model):
    """The secretariat's qualitative mark of a unit in a round (0 to the mark indicator's weight), with a comment."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="marks")
    society = models.ForeignKey(Society, verbose_name=_("society"), null=True, blank=True, on_delete=models.CASCADE)
    district = models.ForeignKey(District, verbose_name=_("district association"), null=True, blank=True,
                                 on_delete=models.CASCADE)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("comment"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(_("marked at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("qualitative mark")
        verbose_name_plural = _("qualitative marks")
        constraints = [
            models.UniqueConstraint(fields=["round", "society"], name="mark_once_per_society"),
            models.UniqueConstraint(fields=["round", "district"], name="mark_once_per_district"),
        ]


class Result(models.Model):
    """A unit's frozen result in a published round: score, rank, grade and every indicator with its rows (the unit's
    name is kept, so the result outlives the unit's row)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    kind = models.CharField(_("kind of unit"), max_length=20, choices=UnitKind.choices)
    society = models.ForeignKey(Society, verbose_name=_("society"), null=True, blank=True, on_delete=models.SET_NULL)
    district = models.ForeignKey(District, verbose_name=_("district association"), null=True, blank=True,
                                 on_delete=models.SET_NULL)
    unit_name = models.CharField(_("unit"), max_length=200)
    score = models.FloatField(_("score"))
    rank = models.PositiveIntegerField(_("rank"))
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    indicators = models.JSONField(_("indicators"), default=list)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        ordering = ["kind", "rank", "unit_name"]


class Nomination(models.Model):
    """A nomination for commendation (宣传表扬) of a unit or a person, and its way 提名 → 初审 → 领导审定 → 公布."""

    round = models.ForeignKey(Round, verbose_name=_("evaluation round"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="nominations")
    year = models.PositiveSmallIntegerField(_("year"))
    nominee_kind = models.CharField(_("nominee"), max_length=20, choices=NomineeKind.choices)
    society = models.ForeignKey(Society, verbose_name=_("society"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="nominations")
    district = models.ForeignKey(District, verbose_name=_("district association"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="nominations")
    person_name = models.CharField(_("person"), max_length=100, blank=True)
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL)
    expert = models.ForeignKey(Expert, verbose_name=_("expert"), null=True, blank=True, on_delete=models.SET_NULL)
    reasons = models.TextField(_("reasons"))
    evidence = models.TextField(_("evidence"), blank=True)
    step = models.CharField(_("step"), max_length=20, choices=NominationStep.choices,
                            default=NominationStep.NOMINATED)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("nominated by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    nominated_at = models.DateTimeField(_("nominated at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("first review at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    bulletin = models.ForeignKey(Bulletin, verbose_name=_("draft bulletin"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.nominee

    @property
    def nominee(self) -> str:
        unit = self.society or self.district
        if self.nominee_kind == NomineeKind.PERSON:
            return "{}（{}）".format(self.person_name, unit) if unit else self.person_name
        return str(unit or "")

    def get_absolute_url(self) -> str:
        return reverse("evaluation:nomination", args=[self.pk])
