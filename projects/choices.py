from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def closed(cls) -> tuple[str, ...]:
        """Statuses after which a project is no longer due (never reminded, never overdue)."""
        return (cls.DONE, cls.CANCELLED)


class ReminderKind(models.TextChoices):
    """What a reminder is about; the ledger key includes it (other apps may use kinds of their own)."""

    DUE_SOON = "due_soon", _("Due soon")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated to the society chair and secretariat")
    RED = "red", _("Escalated to the leadership (red list)")
    NO_UPDATE = "no_update", _("No progress update")
    DIGEST = "digest", _("Weekly digest")


class NotificationLevel(models.TextChoices):
    """The colours of 督办 practice: yellow a heads-up, orange today, red overdue."""

    INFO = "info", _("Information")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


class DeliveryState(models.TextChoices):
    NONE = "none", _("Not sent by this channel")
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutcomeKind(models.TextChoices):
    """What kind of activity an outcome records."""

    POPULARISATION = "popularisation", _("Joint science popularisation")
    INNOVATION = "innovation", _("Innovation activity")
    TRAINING = "training", _("Training")
    FORUM = "forum", _("Forum or seminar")
    SERVICE = "service", _("Expert service to enterprises")
    OTHER = "other", _("Other")


class ReviewStatus(models.TextChoices):
    """A recorded outcome or record counts toward the targets once the secretariat confirms it."""

    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
