"""Who sees meetings, decisions, bulletins and their files (the one entry point of this app)."""

from django.db.models import Q, QuerySet

from societies.access import is_secretariat, role_of, sees_everything, society_of

from .models import Bulletin, Document, JointMeeting


def meetings_for(user) -> QuerySet:
    """Every portal user is invited to the joint meetings (all societies and districts): each role reads them."""
    return JointMeeting.objects.all() if role_of(user) is not None else JointMeeting.objects.none()


def bulletins_for(user) -> QuerySet:
    """Logged-in users with a role read every bulletin; anyone else only the public ones."""
    return Bulletin.objects.all() if role_of(user) is not None else Bulletin.objects.filter(is_public=True)


def documents_for(user) -> QuerySet:
    """Files of the meetings and bulletins the user reads; a society's own file only for it, the secretariat and
    the leadership."""
    documents = Document.objects.filter(Q(meeting__in=meetings_for(user)) | Q(bulletin__in=bulletins_for(user)))
    if sees_everything(user):
        return documents
    society = society_of(user)
    return documents.filter(Q(society__isnull=True) | Q(society=society)) if society else \
        documents.filter(society__isnull=True)


def can_manage_meetings(user) -> bool:
    return is_secretariat(user)


def can_publish(user) -> bool:
    """The secretariat and the societies publish bulletins."""
    return is_secretariat(user) or society_of(user) is not None
