"""Who sees meetings, their invitations, agenda and decisions, bulletins and files (the rules behind
``Model.objects.for_user``), and who may manage or publish them."""

from django.db.models import Q

from sanlian import access
from societies.access import is_secretariat, role_of, sees_everything, society_of

from .models import AgendaItem, Bulletin, Decision, Document, Invitation, JointMeeting


def any_role(user) -> Q | None:
    """Every portal user is invited to the joint meetings (all societies and districts): each role reads them,
    their agenda, attendance and decisions."""
    return None if role_of(user) is not None else access.NOTHING


@access.anonymous_allowed
def bulletin_rule(user) -> Q | None:
    """Logged-in users with a role read every bulletin in force; anyone else only the public ones. A withdrawn
    bulletin is read only by the secretariat and its author."""
    if is_secretariat(user):
        return None
    live = Q(withdrawn_at__isnull=True)
    if role_of(user) is not None:
        return live | Q(author=user)
    return live & Q(is_public=True)


@access.anonymous_allowed
def document_rule(user) -> Q | None:
    """Files of the meetings and bulletins the user reads; a society's own file only for it, the secretariat and
    the leadership."""
    meetings = JointMeeting.objects.for_user(user).values("pk")
    bulletins = Bulletin.objects.for_user(user).values("pk")
    condition = Q(meeting__in=meetings) | Q(bulletin__in=bulletins)
    if sees_everything(user):
        return condition
    society = society_of(user)
    return condition & (Q(society__isnull=True) | Q(society=society) if society else Q(society__isnull=True))


def register() -> None:
    for model in (JointMeeting, Invitation, AgendaItem, Decision):
        access.register(model, any_role)
    access.register(Bulletin, bulletin_rule)
    access.register(Document, document_rule)


def can_manage_meetings(user) -> bool:
    return is_secretariat(user)


def can_publish(user) -> bool:
    """The secretariat and the societies publish bulletins."""
    return is_secretariat(user) or society_of(user) is not None


def can_edit_bulletin(user, bulletin: Bulletin) -> bool:
    """The secretariat and the bulletin's author (while they may still publish) edit and withdraw it."""
    if is_secretariat(user):
        return True
    return bool(user.is_authenticated and bulletin.author_id == user.pk and can_publish(user))
