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
