"""Joint meetings (联席会议), their attendance, agenda, minutes and decisions; information bulletins (measure 10)."""

import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from simple_history.models import HistoricalRecords

from sanlian.access import ScopedManager
from sanlian.html import clean_html

from projects.models import attachment_path
from societies.models import District, Society

from .choices import Attendance, BulletinKind, DecisionStatus, MeetingStatus

HALF = re.compile(r"^(20\d\d)H([12])$")
BLOCK_TAG = re.compile(r"<(p|br|ul|ol|li|h[1-6]|blockquote|table|div|pre)\b", re.IGNORECASE)


def validate_half(value: str) -> None:
    if not HALF.match(value or ""):
        raise ValidationError(_("A half year is written like 2024H1 or 2024H2."))


def half_label(half: str) -> str:
    """A half year as people write it: "2026H1" → "2026年上半年", "2026H2" → "2026年下半年" (the code is stored)."""
    match = HALF.match(half or "")
    if not match:
        return half or ""
    year, part = match.groups()
    text = gettext("{year}, first half") if part == "1" else gettext("{year}, second half")
    return text.format(year=year)


class JointMeeting(models.Model):
    """The half-yearly joint meeting of the municipal societies and the district associations (measure 9)."""

    half = models.CharField(_("half year"), max_length=6, validators=[validate_half], db_index=True)
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(_("chair"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Formatted text; scripts are removed."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return gettext("{half} joint meeting").format(half=self.half_label)

    @property
    def half_label(self) -> str:
        return half_label(self.half)

    @property
    def starts(self) -> datetime | None:
        """The start as an aware time in the portal's zone (Asia/Shanghai); None for a meeting without times."""
        if self.starts_at is None:
            return None
        return timezone.make_aware(datetime.combine(self.held_on, self.starts_at))

    @property
    def ends(self) -> datetime | None:
        if self.starts_at is None or self.ends_at is None:
            return None
        return timezone.make_aware(datetime.combine(self.held_on, self.ends_at))

    @property
    def when(self) -> str:
        """"2026-06-20 09:00–11:30", or the day alone for a meeting without times."""
        day = self.held_on.isoformat()
        if self.starts_at is None:
            return day
        if self.ends_at is None:
            return "{} {:%H:%M}".format(day, self.starts_at)
        return "{} {:%H:%M}–{:%H:%M}".format(day, self.starts_at, self.ends_at)

    def save(self, *args, **kwargs):
        self.minutes = clean_html(self.minutes)  # on every path that stores it, the back office included
        super().save(*args, **kwargs)

    @property
    def minutes_html(self) -> str:
        """The minutes to show: cleaned again, so a row written without save() (bulk, older) never runs code."""
        return mark_safe(clean_html(self.minutes))  # noqa: S308 (cleaned just now)

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])


class Invitation(models.Model):
    """One invited unit (a society or a district association) and its attendance."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="invitations")
    society = models.ForeignKey(Society, verbose_name=_("society"), null=True, blank=True, on_delete=models.CASCADE)
    district = models.ForeignKey(District, verbose_name=_("district association"), null=True, blank=True,
                                 on_delete=models.CASCADE)
    attendance = models.CharField(_("attendance"), max_length=20, choices=Attendance.choices,
                                  default=Attendance.INVITED)
    attendee = models.CharField(_("who comes"), max_length=200, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["district__order", "society__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "society"], name="invitation_once_per_society"),
            models.UniqueConstraint(fields=["meeting", "district"], name="invitation_once_per_district"),
        ]

    @property
    def unit(self):
        return self.society or self.district


class AgendaItem(models.Model):
    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("agenda item"), max_length=300)
    follow_up_of = models.ForeignKey("Decision", verbose_name=_("follow-up of decision"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="follow_ups")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "id"]


class Decision(models.Model):
    """A decision of a meeting (议定事项) with the unit that owns it, a deadline and its status."""

    meeting = models.ForeignKey(JointMeeting, verbose_name=_("joint meeting"), on_delete=models.CASCADE,
                                related_name="decisions")
    text = models.TextField(_("decision"))
    society = models.ForeignKey(Society, verbose_name=_("owner society"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="decisions")
    district = models.ForeignKey(District, verbose_name=_("owner district association"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="decisions")
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    follow_up = models.TextField(_("follow-up"), blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def owner(self):
        return self.society or self.district

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.meeting_id]) + "#decision-{}".format(self.pk)


class Bulletin(models.Model):
    """An information bulletin (工作动态、政策解读、专利信息、科技成果), for logged-in users or public."""

    kind = models.CharField(_("kind"), max_length=20, choices=BulletinKind.choices, default=BulletinKind.NEWS)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), help_text=_("Formatted text; scripts are removed."))
    society = models.ForeignKey(Society, verbose_name=_("society"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="bulletins")
    is_public = models.BooleanField(_("public"), default=False,
                                    help_text=_("Public bulletins can be read without logging in."))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published at"), auto_now_add=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True,
                                        help_text=_("A withdrawn bulletin is seen only by its author and the "
                                                    "secretariat."))
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body = clean_html(self.body)  # on every path that stores it, the back office included
        super().save(*args, **kwargs)

    @property
    def body_html(self) -> str:
        """The text to show: cleaned again, so a row written without save() (bulk, older) never runs code. Text
        typed without paragraphs keeps its line breaks: a blank line starts a paragraph, a line break is <br>."""
        cleaned = clean_html(self.body)
        if not BLOCK_TAG.search(cleaned):
            cleaned = linebreaks(cleaned, autoescape=False)  # already escaped by clean_html: no double escaping
        return mark_safe(cleaned)  # noqa: S308 (cleaned just now)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def get_absolute_url(self) -> str:
        return reverse("meetings:bulletin", args=[self.pk])


class Document(models.Model):
    """A file of a meeting (minutes, a unit's report) or of a bulletin; checked by content, served after access."""

    meeting = models.ForeignKey(JointMeeting, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    bulletin = models.ForeignKey(Bulletin, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    society = models.ForeignKey(Society, verbose_name=_("submitted by society"), null=True, blank=True,
                                on_delete=models.CASCADE, help_text=_("A society's own file: only it and the "
                                                                      "secretariat and leadership see it."))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["id"]

    def get_absolute_url(self) -> str:
        return reverse("meetings:document", args=[self.pk])
