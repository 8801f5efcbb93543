"""Leadership's instructions (领导批示) on a project, the society's replies and the files sent with them.

Kept apart from ``projects.models`` (imported by it) so that neither module grows past the house limit; the rules
of who sees them are in ``projects.access``, the operations in ``projects.instructions``.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sanlian.access import ScopedManager, ScopedQuerySet
from sanlian.uploads import StoredFile, private_name


class InstructionStatus(models.TextChoices):
    """Open until the society replies (answered), done when the leader or the secretariat closes it."""

    OPEN = "open", _("Awaiting a reply")
    ANSWERED = "answered", _("Answered")
    DONE = "done", _("Done and closed")

    @classmethod
    def pending(cls) -> tuple[str, ...]:
        """Not yet closed: what shows on "my projects" and the dashboard."""
        return (cls.OPEN, cls.ANSWERED)


class InstructionQuerySet(ScopedQuerySet):
    def pending(self) -> "InstructionQuerySet":
        return self.filter(status__in=InstructionStatus.pending())

    def overdue(self, today) -> "InstructionQuerySet":
        """Still open (no reply yet) after their deadline."""
        return self.filter(status=InstructionStatus.OPEN, deadline__lt=today)


class Instruction(models.Model):
    """A leader's (or the secretariat's) instruction on a project (领导批示), with an optional deadline."""

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="instructions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("instruction"))
    deadline = models.DateField(_("reply by"), null=True, blank=True)
    status = models.CharField(_("state"), max_length=20, choices=InstructionStatus.choices,
                              default=InstructionStatus.OPEN, db_index=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked done by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(_("marked done at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = InstructionQuerySet.as_manager()

    class Meta:
        verbose_name = _("leadership instruction")
        verbose_name_plural = _("leadership instructions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return reverse("projects:instruction", args=[self.pk])

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == InstructionStatus.OPEN and self.deadline is not None and self.deadline < today


class InstructionReply(models.Model):
    """The society's answer to an instruction (text and files)."""

    instruction = models.ForeignKey(Instruction, verbose_name=_("leadership instruction"), on_delete=models.CASCADE,
                                    related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("replied by"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("reply"))
    created_at = models.DateTimeField(_("replied at"), default=timezone.now)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("reply to an instruction")
        verbose_name_plural = _("replies to instructions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


def reply_file_path(instance: "InstructionFile", filename: str) -> str:
    return private_name("instructions", filename)


class InstructionFile(StoredFile):
    """A file sent with a reply, stored privately and served only through an access check."""

    reply = models.ForeignKey(InstructionReply, verbose_name=_("reply to an instruction"), on_delete=models.CASCADE,
                              related_name="files")
    file = models.FileField(_("file"), upload_to=reply_file_path, max_length=300)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("file of a reply")
        verbose_name_plural = _("files of replies")
        ordering = ["id"]

    def get_absolute_url(self) -> str:
        return reverse("projects:instruction_file", args=[self.pk])
