from django.db import models
from django.utils.translation import gettext_lazy as _


class Half(models.IntegerChoices):
    YEAR = 0, _("Whole year")
    FIRST = 1, _("First half")
    SECOND = 2, _("Second half")


class UnitKind(models.TextChoices):
    SOCIETY = "society", _("Municipal societies")
    DISTRICT = "district", _("District associations")


class Evaluated(models.TextChoices):
    SOCIETIES = "societies", _("Municipal societies")
    DISTRICTS = "districts", _("District associations")
    BOTH = "both", _("Societies and district associations")


class Normalisation(models.TextChoices):
    BEST = "best", _("Share of the best unit's value")
    THRESHOLD = "threshold", _("Share of a threshold (full points at the threshold)")
    MARK = "mark", _("The secretariat's mark (0 to the weight, with a comment)")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class NomineeKind(models.TextChoices):
    UNIT = "unit", _("Unit")
    PERSON = "person", _("Individual")


class NominationStep(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    REVIEWED = "reviewed", _("First review passed")
    APPROVED = "approved", _("Approved by the leadership")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not adopted")
