"""Who may see and change projects and what hangs off them (the rules behind ``Model.objects.for_user``).

Secretariat and leadership see every project; a society contact their society's projects; a district contact the
projects linked to their district; anyone else none. Updates, attachments, task forces, links and outcomes follow
their project. Notifications and calendar feeds are their owner's; the reminder machinery is the secretariat's.
An outsider asking for a row gets 404 (``get_project_or_404``), never 403.
"""

from django.db.models import Q
from django.http import Http404

from sanlian import access
from societies.access import district_of, is_secretariat, role_of, sees_everything, society_of
from societies.choices import Role

from .models import (
    ActivityOutcome,
    Attachment,
    CalendarFeed,
    Instruction,
    InstructionFile,
    InstructionReply,
    Notification,
    ProgressUpdate,
    Project,
    ProjectDistrict,
    ProjectPartner,
    ProjectUpperUnit,
    ReminderLedger,
    ReminderPolicy,
    ReminderRun,
    TaskForce,
    TaskForceMember,
    Urge,
    WebhookDelivery,
)


def project_rule(user) -> Q | None:
    """The condition on ``Project`` for what ``user`` may see; ``None`` means every project."""
    if sees_everything(user):
        return None
    role = role_of(user)
    if role == Role.SOCIETY and (society := society_of(user)) is not None:
        return Q(society=society)
    if role == Role.DISTRICT and (district := district_of(user)) is not None:
        return Q(pk__in=ProjectDistrict.objects.filter(district=district).values("project_id"))
    return access.NOTHING


def via_project(path: str):
    """The rule of a model that belongs to a project through ``path``: it follows the project's rule."""

    def rule(user) -> Q | None:
        condition = project_rule(user)
        if condition is None:
            return None
        return Q(**{path + "__in": Project.objects.filter(condition).values("pk")})

    return rule


def own_rows(path: str):
    """A user's own rows (``path`` names the owning account); the secretariat sees all of them in the back office."""
    return lambda user: None if is_secretariat(user) else Q(**{path: user})


def secretariat_only(user) -> Q | None:
    return None if is_secretariat(user) else access.NOTHING


def register() -> None:
    access.register(Project, project_rule)
    for model in (ProjectDistrict, ProjectUpperUnit, ProjectPartner, TaskForce, ProgressUpdate, Attachment,
                  ActivityOutcome, Urge):
        access.register(model, via_project("project"))
    access.register(TaskForceMember, via_project("task_force__project"))
    access.register(Instruction, via_project("project"))
    access.register(InstructionReply, via_project("instruction__project"))
    access.register(InstructionFile, via_project("reply__instruction__project"))
    access.register(Notification, own_rows("recipient"))
    access.register(CalendarFeed, own_rows("user"))
    for model in (ReminderPolicy, ReminderLedger, ReminderRun, WebhookDelivery):
        access.register(model, secretariat_only)


def can_change(user, project: Project) -> bool:
    """Secretariat changes every project; a society contact changes their own society's projects."""
    if is_secretariat(user):
        return True
    society = society_of(user)
    return society is not None and project.society_id == society.pk


def can_manage(user) -> bool:
    """Keeping organisations, importing the list and creating projects is the secretariat's work."""
    return is_secretariat(user)


def get_project_or_404(user, pk, *, for_change: bool = False) -> Project:
    """The project if ``user`` may see it (and change it, with ``for_change``); otherwise 404, never 403."""
    try:
        project = Project.objects.for_user(user).select_related("society").get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if for_change and not can_change(user, project):
        raise Http404
    return project


def can_record_outcome(user, project: Project) -> bool:
    """Who records what an activity achieved: whoever changes the project, and the contacts of a linked district."""
    if can_change(user, project):
        return True
    district = district_of(user)
    return district is not None and project.district_links.filter(district=district).exists()


def can_instruct(user) -> bool:
    """Writing a 批示 and marking it done: the leadership and the secretariat."""
    return role_of(user) in (Role.LEADER, Role.SECRETARIAT)


def can_reply(user, project: Project) -> bool:
    """Replying to a 批示: the contacts of the project's society (and the secretariat, on their behalf)."""
    return can_change(user, project)
