"""Organisations and people: municipal societies, district associations, upper-level units, partners,
contacts, experts, the "6+3" industry list, and the profile that ties a user account to a society or district."""

import re
import unicodedata

from django.conf import settings
from django.contrib.auth.models import User, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sanlian.access import ScopedManager, ScopedQuerySet
from sanlian.webhooks import validate_webhook_url

from .choices import ExpertLevel, MessagePreference, PartnerKind, UpperUnitLevel

_SPACE = re.compile(r"\s+")


def name_key(name: str) -> str:
    """The matching key of an organisation's name: full-width forms folded (NFKC), all white space removed.

    "山东省 医学会" and "山东省医学会" and the full-width "（科研单位）" variants are the same organisation.
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", name or ""))


class OrganisationQuerySet(ScopedQuerySet):
    def by_key(self) -> dict[str, "Organisation"]:
        return {org.name_key: org for org in self}


class Organisation(models.Model):
    """Common fields of every kind of organisation; the name is unique within its kind by its matching key."""

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(_("matching key"), max_length=200, unique=True, editable=False)
    remarks = models.TextField(_("remarks"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = _SPACE.sub(" ", self.name).strip()
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)


class Society(Organisation):
    """A municipal society (市级学会), the lead of key projects."""

    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    chair = models.CharField(_("chair"), max_length=100, blank=True)
    chair_email = models.EmailField(_("chair e-mail"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    webhook_url = models.URLField(
        _("group robot webhook"),
        blank=True,
        help_text=_("WeCom or DingTalk group robot address for reminders (optional)."),
        validators=[validate_webhook_url],
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta(Organisation.Meta):
        verbose_name = _("municipal society")
        verbose_name_plural = _("municipal societies")


class District(Organisation):
    """A district (county-level city) association, 区（市）科协; the city association itself is one too."""

    is_city = models.BooleanField(
        _("city association"), default=False, help_text=_("The municipal association itself (枣庄市科协).")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    history = HistoricalRecords()

    class Meta(Organisation.Meta):
        verbose_name = _("district association")
        verbose_name_plural = _("district associations")
        ordering = ["order", "name"]


class UpperUnit(Organisation):
    """An upper-level society or research unit (上级学会/科研单位) that a project brings in."""

    level = models.CharField(_("level"), max_length=20, choices=UpperUnitLevel.choices, default=UpperUnitLevel.OTHER)
    history = HistoricalRecords()

    class Meta(Organisation.Meta):
        verbose_name = _("upper-level unit")
        verbose_name_plural = _("upper-level units")


class Partner(Organisation):
    """A partner of a project: a technology enterprise, an institution, or a group (村居, 社区 …)."""

    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices, default=PartnerKind.ENTERPRISE)
    history = HistoricalRecords()

    class Meta(Organisation.Meta):
        verbose_name = _("partner")
        verbose_name_plural = _("partners")


class Industry(models.Model):
    """A member of the city's "6+3" modern industry system; an editable list."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries (6+3)")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person to reach: a society's or district's contact, optionally tied to a user account."""

    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    society = models.ForeignKey(
        Society, verbose_name=_("society"), null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
    )
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A contact belongs to a society or to a district association, not to both."""
        from django.core.exceptions import ValidationError

        if self.society_id and self.district_id:
            raise ValidationError(_("A contact belongs to a society or to a district association, not to both."))


class ExpertCategory(models.Model):
    """A category of the expert registry (海智专家, 智库专家, 老科协专家, 农业特色专家 …); an editable list."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("expert category")
        verbose_name_plural = _("expert categories")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Expert(models.Model):
    """A member of the expert registry (专家库); expert services count toward a target. Keyed by name + work unit."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("work unit"), max_length=200, blank=True)
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    level = models.CharField(_("expert level"), max_length=20, choices=ExpertLevel.choices, blank=True)
    category = models.ForeignKey(ExpertCategory, verbose_name=_("expert category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="experts")
    field = models.TextField(_("fields (专业领域 / 研究方向)"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    society = models.ForeignKey(
        Society, verbose_name=_("society"), null=True, blank=True, on_delete=models.SET_NULL, related_name="experts"
    )
    industries = models.ManyToManyField(Industry, verbose_name=_("industries"), blank=True, related_name="experts")
    key = models.CharField(_("matching key"), max_length=300, db_index=True, editable=False, default="")
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.key = expert_key(self.name, self.organisation)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("needs:expert", args=[self.pk])


def expert_key(name: str, organisation: str) -> str:
    """An expert's registry key: name and work unit, each by ``name_key``."""
    return "{}|{}".format(name_key(name), name_key(organisation))


class Profile(models.Model):
    """What a user account belongs to: the society of a society contact, the district of a district contact."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    society = models.ForeignKey(
        Society, verbose_name=_("society"), null=True, blank=True, on_delete=models.SET_NULL, related_name="profiles"
    )
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL, related_name="profiles"
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    message_preference = models.CharField(
        _("reminder messages"), max_length=20, choices=MessagePreference.choices, default=MessagePreference.DAILY
    )
    must_change_password = models.BooleanField(
        _("must change the password"), default=False,
        help_text=_("Set with a temporary password: the user changes it at the next log-in."))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class AccountManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class Account(User):
    """A user account as the secretariat keeps it on the account pages (a proxy: no table of its own)."""

    objects = AccountManager()

    class Meta:
        proxy = True
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
