"""Keeping the list's projects: create, change and delete them with their linked units, change their status,
post progress updates with evidence, keep their task force (专班). Every change is recorded in the history with
who made it (``projects.history`` reads it back)."""

from datetime import date

from django.db import transaction
from django.db.models import Max

from sanlian.uploads import check_uploads, delete_files_on_commit, files_with_transaction, store_uploads

from .attention import tell_districts_of_project, tell_secretariat_of_delay, tell_society_of_project
from .choices import ProjectStatus
from .due import due_window
from .models import LINK_KINDS, Attachment, LinkKind, ProgressUpdate, Project, TaskForce, TaskForceMember


def _set_links(project: Project, kind: LinkKind, units) -> None:
    """Link ``units`` to ``project`` in the given order: kept links keep their row, removed ones go."""
    wanted = [unit.pk for unit in units]
    current = {getattr(link, kind.link_field + "_id"): link for link in kind.link.objects.filter(project=project)}
    for unit_id, link in current.items():
        if unit_id not in wanted:
            link.delete()
    for order, unit_id in enumerate(wanted):
        link = current.get(unit_id)
        if link is None:
            kind.link.objects.create(project=project, order=order, **{kind.link_field + "_id": unit_id})
        elif link.order != order:
            link.order = order
            link.save(update_fields=["order"])


def _ordered(existing: list, chosen) -> list:
    """The chosen units, those already linked first in their list order, the new ones after."""
    chosen = list(chosen)
    keep = [unit for unit in existing if unit in chosen]
    return keep + [unit for unit in chosen if unit not in keep]


@transaction.atomic
def save_project(project: Project | None, *, user, fields: dict, districts=(), upper_units=(),
                 partners=()) -> Project:
    """Create (``project`` None) or change a project and its ordered links; the due window is derived from the
    due text as typed (domain rules in ``projects.due``), except the end a delay set. Writes history records with
    ``user``; when the project is new or moves to another society, that society's contacts are notified, and the
    contacts of each district newly linked are notified (once per project and district)."""
    creating = project is None
    # read from the table: a model form has already put the new society on the instance
    society_before = None if creating else Project.objects.filter(pk=project.pk).values_list("society_id", flat=True)[0]
    if creating:
        project = Project(created_by=user)
        last = Project.objects.filter(year=fields["year"]).aggregate(last=Max("position"))["last"]
        project.position = (last or 0) + 1
    for name, value in fields.items():
        setattr(project, name, value)
    window = due_window(project.due_text, project.year) if project.due_text else None
    project.due_start, project.due_end = window or (None, None)
    if project.status == ProjectStatus.DELAYED and project.delayed_to:  # the delay's new date stands
        project.due_end = project.delayed_to
    project._history_user = user
    project.save()
    existing = {} if creating else {"districts": project.district_list, "upper_units": project.upper_unit_list,
                                    "partners": project.partner_list}
    new_districts = [unit.pk for unit in districts if unit not in existing.get("districts", [])]
    for kind, units in zip(LINK_KINDS, (districts, upper_units, partners)):
        _set_links(project, kind, _ordered(existing.get(kind.key, []), units))
    if project.society_id != society_before:
        tell_society_of_project(project, user=user)
    tell_districts_of_project(project, new_districts, user=user)
    return project


@transaction.atomic
def delete_project(project: Project, *, user) -> None:
    """Delete a project with its links, updates and task force (kept in the history); attachment files go too."""
    files = [attachment.file.name for attachment in project.attachments.all()]
    project._history_user = user
    project.delete()
    delete_files_on_commit(files)


@transaction.atomic
def change_status(project: Project, *, user, status: str, delay_reason: str = "",
                  delayed_to: date | None = None) -> Project:
    """Set the project's status (one history record by ``user``); a no-op when unchanged.

    “Delayed” needs ``delay_reason`` and ``delayed_to`` (ValueError without): the due window then ends on the new
    date, so reminders (and "overdue") follow it, and the secretariat is notified.
    """
    if status == ProjectStatus.DELAYED:
        if not delay_reason.strip() or delayed_to is None:
            raise ValueError("a delay needs a reason and a new date")
        if (project.status, project.delayed_to, project.delay_reason) == (status, delayed_to, delay_reason.strip()):
            return project
        project.status, project.delayed_to, project.delay_reason = status, delayed_to, delay_reason.strip()
        project.due_end = max(delayed_to, project.due_start or delayed_to)
        project._history_user = user
        project.save(update_fields=["status", "delayed_to", "delay_reason", "due_end", "updated_at"])
        tell_secretariat_of_delay(project, user=user)
    elif project.status != status:
        project.status = status
        project._history_user = user
        project.save(update_fields=["status", "updated_at"])
    return project


def post_update(project: Project, *, user, happened_on: date, text: str, link: str = "", files=()) -> ProgressUpdate:
    """A progress update with its attachments. Every file is checked first; if one is refused
    (``UploadRefused``) nothing is stored, and a failure while writing removes the files already written."""
    checked = check_uploads(files)
    with files_with_transaction() as stored:
        update = ProgressUpdate(project=project, author=user, happened_on=happened_on, text=text, link=link)
        update._history_user = user
        update.save()
        store_uploads(Attachment, checked, stored, project=project, update=update, uploaded_by=user)
        if project.status == ProjectStatus.PLANNED:
            change_status(project, user=user, status=ProjectStatus.IN_PROGRESS)
    return update


@transaction.atomic
def save_task_force(project: Project, *, user, goal: str, measures: str, leader: str,
                    members: list[dict]) -> TaskForce:
    """The project's task force (专班) and its members in order (replacing the previous list)."""
    task_force, _created = TaskForce.objects.get_or_create(project=project)
    task_force.goal, task_force.measures, task_force.leader = goal, measures, leader
    task_force._history_user = user
    task_force.save()
    old = {(member.unit_name, member.person, member.duty): member for member in task_force.members.all()}
    keep = set()
    for order, data in enumerate(members):
        key = (data["unit_name"], data["person"], data.get("duty", ""))
        member = old.get(key)
        if member is None:
            member = TaskForceMember(task_force=task_force, unit_name=key[0], person=key[1], duty=key[2])
        member.order = order
        member._history_user = user
        member.save()
        keep.add(member.pk)
    for member in old.values():
        if member.pk not in keep:
            member._history_user = user
            member.delete()
    return task_force
