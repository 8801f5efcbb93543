from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Attendance(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Will attend")
    DECLINED = "declined", _("Cannot attend")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    DELEGATED = "delegated", _("Delegated")


class DecisionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("decision state", "Open")  # not the "Open" of a link (查看)
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class BulletinKind(models.TextChoices):
    NEWS = "news", _("Work news")
    POLICY = "policy", _("Policy interpretation")
    PATENT = "patent", _("Patent information")
    RESULTS = "results", _("Research results")
    PRAISE = "praise", _("Commendation")
