"""A project's history as people read it: what changed (old → new), who changed it and when, from the
django-simple-history records of the project, its links, progress updates, task force and attachments."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sanlian.display import value_text

from .models import (Instruction, InstructionReply, ProgressUpdate, Project, ProjectDistrict, ProjectPartner,
                     ProjectUpperUnit, TaskForce, Urge)


@dataclass
class HistoryEntry:
    """One line of a project's history: when, who, what (and, for changes, old → new per field)."""

    when: datetime
    user: object
    action: str
    subject: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    reason: str = ""


_ACTION = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
_LINK_ACTION = {"+": _("linked"), "~": _("changed"), "-": _("unlinked")}  # a district, unit or partner is linked


def _entries(records, subject, skip=("updated_at", "title_key", "position"), actions=_ACTION) -> list[HistoryEntry]:
    """History entries from historical records in date order; a change is compared with the same object's
    previous record in the same list (no query per record) and left out when only ``skip`` fields changed."""
    entries, previous = [], {}
    for record in records:
        entry = HistoryEntry(when=record.history_date, user=record.history_user, action=str(actions[record.history_type]),
                             subject=subject(record), reason=record.history_change_reason or "")
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_type == "~" and before is not None:
            model = record.instance_type
            for change in record.diff_against(before).changes:
                if change.field not in skip:
                    entry.changes.append((str(model._meta.get_field(change.field).verbose_name),
                                          value_text(model, change.field, change.old),
                                          value_text(model, change.field, change.new)))
            if not entry.changes:
                continue
        entries.append(entry)
    return entries


def project_history(project: Project, *, limit: int = 200) -> list[HistoryEntry]:
    """Everything that happened to a project, newest first: its fields (old → new), links, progress updates,
    attachments, task force, leadership instructions (批示) and their replies, 催办 pressed by hand, with who and
    when; an import is marked with its reason (导入清单)."""
    pid = project.pk
    entries = _entries(project.history.select_related("history_user").order_by("history_date")[:limit],
                       lambda record: str(Project._meta.verbose_name))
    for model, field_name, label in ((ProjectDistrict, "district", _("District association")),
                                     (ProjectUpperUnit, "upper_unit", _("Upper-level unit")),
                                     (ProjectPartner, "partner", _("Partner"))):
        records = model.history.filter(project_id=pid).select_related(
            "history_user", field_name).order_by("history_date")[:limit]
        entries += _entries(records, lambda record, name=field_name, label=label: "{}：{}".format(
            label, getattr(record, name)), skip=("order",), actions=_LINK_ACTION)
    entries += _entries(ProgressUpdate.history.filter(project_id=pid).select_related("history_user")
                        .order_by("history_date")[:limit],
                        lambda record: "{}：{}".format(gettext("Progress update"), record.text[:60]))
    entries += _entries(TaskForce.history.filter(project_id=pid).select_related("history_user").order_by("history_date"),
                        lambda record: str(TaskForce._meta.verbose_name))
    entries += _entries(Instruction.history.filter(project_id=pid).select_related("history_user")
                        .order_by("history_date")[:limit],
                        lambda record: "{}：{}".format(gettext("Leadership instruction"), record.text[:60]),
                        skip=("answered_at", "done_at"))
    entries += _entries(InstructionReply.history.filter(instruction__project_id=pid).select_related("history_user")
                        .order_by("history_date")[:limit],
                        lambda record: "{}：{}".format(gettext("Reply to the instruction"), record.text[:60]))
    for attachment in project.attachments.select_related("uploaded_by"):
        entries.append(HistoryEntry(when=attachment.uploaded_at, user=attachment.uploaded_by, action=str(_("added")),
                                    subject="{}：{}".format(gettext("Attachment"), attachment.original_name)))
    for urge in Urge.objects.filter(project_id=pid).select_related("by")[:limit]:
        entries.append(HistoryEntry(when=urge.created_at, user=urge.by, action=str(_("pressed")),
                                    subject=gettext("Reminder by hand"), reason=urge.note))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
