from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    SOCIETY_FOUNDED = "society_founded", _("New municipal society founded")
    MEMBER_INTAKE = "member_intake", _("New members")
    DISTRICT_ORG = "district_org", _("District society organisation set up")
    BRAND_MUNICIPAL = "brand_municipal", _("Municipal reform brand")
    BRAND_PROVINCIAL = "brand_provincial", _("Provincial reform brand")
    MECHANISM = "mechanism", _("Long-term working mechanism")
    TRAINING = "training", _("Thought-leadership training")
    JOINT_MEETING = "joint_meeting", _("Joint meeting held")


class PeriodKind(models.TextChoices):
    PLAN = "plan", _("Plan period")
    YEAR = "year", _("Calendar year")
    HALF = "half", _("Half year")


class Pace(models.TextChoices):
    AHEAD = "ahead", _("Ahead")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    AT_RISK = "at_risk", _("At risk")
