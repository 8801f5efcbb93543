"""Who a user is in the portal: their role (a Django group) and the society or district on their profile.

The project rules built on this live in ``projects.access``; every other app asks these two modules.
"""

from django.contrib.auth.models import AnonymousUser, User

from .choices import Role
from .models import District, Profile, Society

_ROLE_ORDER = (Role.SECRETARIAT, Role.LEADER, Role.SOCIETY, Role.DISTRICT)


def role_of(user: User | AnonymousUser) -> Role | None:
    """The user's role; a superuser counts as secretariat. Cached on the user object for the request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_sanlian_role"):
        if user.is_superuser:
            user._sanlian_role = Role.SECRETARIAT
        else:
            names = set(user.groups.values_list("name", flat=True))
            user._sanlian_role = next((role for role in _ROLE_ORDER if role.value in names), None)
    return user._sanlian_role


def profile_of(user: User | AnonymousUser) -> Profile | None:
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_sanlian_profile"):
        user._sanlian_profile = Profile.objects.select_related("society", "district").filter(user=user).first()
    return user._sanlian_profile


def society_of(user) -> Society | None:
    profile = profile_of(user)
    return profile.society if profile and role_of(user) == Role.SOCIETY else None


def district_of(user) -> District | None:
    profile = profile_of(user)
    return profile.district if profile and role_of(user) == Role.DISTRICT else None


def is_secretariat(user) -> bool:
    return role_of(user) == Role.SECRETARIAT


def sees_everything(user) -> bool:
    """Secretariat and leadership read every project and record."""
    return role_of(user) in (Role.SECRETARIAT, Role.LEADER)


# ==== organisation pages (issue #3) ====
def can_keep_organisations(user) -> bool:
    """Creating, editing and deleting organisations, experts, contacts, industries and accounts: the secretariat."""
    return is_secretariat(user)


def can_read_organisation_lists(user) -> bool:
    """The organisation lists are read by the secretariat and the leadership; contacts see only their own page."""
    return sees_everything(user)


def can_see_organisation(user, organisation) -> bool:
    """Secretariat and leadership see every organisation's page; a society or district contact sees their own."""
    if sees_everything(user):
        return True
    own = society_of(user) if isinstance(organisation, Society) else district_of(user)
    return own is not None and type(own) is type(organisation) and own.pk == organisation.pk
