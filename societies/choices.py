from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The four roles; each is a Django group of the same name (created by a migration)."""

    SECRETARIAT = "secretariat", _("Secretariat")
    SOCIETY = "society", _("Society contact")
    DISTRICT = "district", _("District contact")
    LEADER = "leader", _("Leadership")


class MessagePreference(models.TextChoices):
    """How a person receives the daily reminder run's messages."""

    DAILY = "daily", _("One message a day (in-app and e-mail)")
    IMMEDIATE = "immediate", _("One message per item (in-app and e-mail)")
    IN_APP = "in_app", _("One message a day, in-app only (no e-mail)")


class UpperUnitLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    INSTITUTE = "institute", _("Research institute")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")


class PartnerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    INSTITUTION = "institution", _("Institution")
    GROUP = "group", _("Group")


class ExpertLevel(models.TextChoices):
    NATIONAL = "national", _("National-level")
    PROVINCIAL = "provincial", _("Provincial-level")
    MUNICIPAL = "municipal", _("Municipal-level")
