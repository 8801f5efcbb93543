"""The one place that decides who may see and change projects and what hangs off them.

Every list, detail, form, admin changelist, autocomplete, export, attachment download and task goes through
``Project.objects.for_user(user)`` (built on ``project_filter``) or ``get_project_or_404``; an outsider gets 404.
"""

from django.db.models import Q
from django.http import Http404

from societies.access import district_of, is_secretariat, role_of, sees_everything, society_of
from societies.choices import Role

from .models import Project


def project_filter(user) -> Q | None:
    """The condition on ``Project`` for what ``user`` may see; ``None`` means every project."""
    if sees_everything(user):
        return None
    role = role_of(user)
    if role == Role.SOCIETY and (society := society_of(user)) is not None:
        return Q(society=society)
    if role == Role.DISTRICT and (district := district_of(user)) is not None:
        return Q(district_links__district=district)
    return Q(pk__in=[])


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
        project = Project.objects.for_user(user).select_related("society").distinct().get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
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
