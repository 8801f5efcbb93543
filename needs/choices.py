from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedStatus(models.TextChoices):
    """收集 → 已对接 → 已走访 → 已解决, or 未解决 with a reason."""

    COLLECTED = "collected", _("Collected")
    MATCHED = "matched", _("Matched")
    VISITED = "visited", _("Visited")
    SOLVED = "solved", _("Solved")
    UNSOLVED = "unsolved", _("Not solved")

    @classmethod
    def closed(cls) -> tuple[str, ...]:
        return (cls.SOLVED, cls.UNSOLVED)

    @classmethod
    def open_matched(cls) -> tuple[str, ...]:
        """The statuses in which an assigned expert is still busy with the need (the load penalty)."""
        return (cls.MATCHED, cls.VISITED)


class NeedKind(models.TextChoices):
    RESEARCH = "research", _("Technical breakthrough")
    TRANSFER = "transfer", _("Transfer of results")
    TALENT = "talent", _("Bringing in talent")
    TESTING = "testing", _("Equipment and testing")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    VERY_URGENT = "very_urgent", _("Very urgent")
