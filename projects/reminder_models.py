"""The reminder run's own tables: the policy the secretariat keeps, the record of each daily run, and the private
calendar feed addresses.

Kept apart from ``projects.models`` (which imports them, so ``projects.models.ReminderPolicy`` still names them) so
that neither module grows past the house limit; the run itself is ``projects.reminders``.
"""

import secrets
from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanlian.access import ScopedManager


class ReminderPolicy(models.Model):
    """When and whom the portal reminds; one row, kept by the secretariat in the admin (see ``current()``)."""

    enabled = models.BooleanField(_("reminders enabled"), default=True)
    days_before = models.CharField(
        _("days before the due window ends"), max_length=50, default="7,1",
        validators=[RegexValidator(r"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$", _("Enter whole numbers separated by commas."))],
        help_text=_("Whole numbers separated by commas, e.g. 7,1."))
    remind_due_day = models.BooleanField(_("remind on the due day"), default=True)
    remind_overdue = models.BooleanField(_("remind when overdue"), default=True)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate to the society chair and secretariat after (days overdue)"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    red_after_days = models.PositiveSmallIntegerField(
        _("escalate to the leadership red list after (days overdue)"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    no_update_days = models.PositiveSmallIntegerField(
        _("nudge projects in progress with no update for (days)"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    send_time = models.TimeField(_("daily send time (Beijing time)"), default=time(8, 30))
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest day"), default=0,
        choices=[(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
                 (5, _("Saturday")), (6, _("Sunday"))],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policy")

    def __str__(self) -> str:
        return str(_("Reminder policy"))

    @classmethod
    def current(cls) -> "ReminderPolicy":
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def days_before_list(self) -> list[int]:
        """The reminder offsets, largest first, without zero (the due day has its own switch)."""
        return sorted({int(part) for part in self.days_before.split(",") if part.strip() and int(part) > 0}, reverse=True)


class ReminderRun(models.Model):
    """The daily job for one date: when it ran and what it found (the catch-up job looks for today's row)."""

    date = models.DateField(_("date"), unique=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    first_run_at = models.DateTimeField(_("first run at"), default=timezone.now)
    last_run_at = models.DateTimeField(_("last run at"), default=timezone.now)
    counts = models.JSONField(_("counts"), default=dict)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")
        ordering = ["-date"]

    def __str__(self) -> str:
        return str(self.date)


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's private iCalendar address of their projects' deadlines: the token is the only key, revocable."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("projects:calendar_feed", args=[self.token])
