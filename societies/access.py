"""Who a user is in the portal — their role (a Django group) and the society or district on their profile — and
the access rules of the organisations and accounts (behind ``Model.objects.for_user``).

Every other app's ``access.py`` builds on ``role_of``, ``society_of`` and ``district_of`` from here.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from sanlian import access

from .choices import Role
from .models import (Account, Contact, District, Expert, ExpertCategory, Industry, Partner, Profile, Society,
                     UpperUnit)

_ROLE_ORDER = (Role.SECRETARIAT, Role.LEADER, Role.SOCIETY, Role.DISTRICT)


def role_in_groups(names, *, superuser: bool = False) -> Role | None:
    """The role given by group names (a superuser counts as secretariat)."""
    if superuser:
        return Role.SECRETARIAT
    return next((role for role in _ROLE_ORDER if role.value in names), None)


def role_of(user: User | AnonymousUser) -> Role | None:
    """The user's role; a superuser counts as secretariat. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or user is access.SYSTEM:
        return None
    if not hasattr(user, "_sanlian_role"):
        names = set() if user.is_superuser else set(user.groups.values_list("name", flat=True))
        user._sanlian_role = role_in_groups(names, superuser=user.is_superuser)
    return user._sanlian_role


def profile_of(user: User | AnonymousUser) -> Profile | None:
    if not getattr(user, "is_authenticated", False) or user is access.SYSTEM:
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


def users_with_role(role: Role) -> list[User]:
    """The active accounts of a role (superusers count as secretariat), in account order."""
    condition = Q(groups__name=role)
    if role == Role.SECRETARIAT:
        condition |= Q(is_superuser=True)
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def is_last_secretariat(user: User) -> bool:
    """True when ``user`` is the only active secretariat account (demoting or deactivating it would leave nobody
    to keep accounts)."""
    return role_of(user) == Role.SECRETARIAT and user.is_active and [
        account.pk for account in users_with_role(Role.SECRETARIAT)] == [user.pk]


def can_keep_organisations(user) -> bool:
    """Creating, editing and deleting organisations, experts, contacts, industries and accounts: the secretariat."""
    return is_secretariat(user)


def can_read_organisation_lists(user) -> bool:
    """The organisation lists are read by the secretariat and the leadership; contacts see only their own page."""
    return sees_everything(user)


# --- the rules -----------------------------------------------------------------------------------------------------
def _own(unit_of):
    """Everything for secretariat and leadership; for a contact, their own society (or district) only."""

    def rule(user) -> Q | None:
        if sees_everything(user):
            return None
        own = unit_of(user)
        return Q(pk=own.pk) if own is not None else access.NOTHING

    return rule


def reference_rule(user) -> Q | None:
    """Upper units, partners, experts and industries: reference data every role may see and pick in forms (their
    list pages are still the secretariat's and the leadership's)."""
    return None if role_of(user) is not None else access.NOTHING


def contact_rule(user) -> Q | None:
    """Contacts: all for secretariat and leadership; a contact sees the contacts of their own society or district."""
    if sees_everything(user):
        return None
    if (society := society_of(user)) is not None:
        return Q(society=society)
    if (district := district_of(user)) is not None:
        return Q(district=district)
    return access.NOTHING


def account_rule(user) -> Q | None:
    """Accounts are kept by the secretariat; superusers only by a superuser (a temporary password would hand them
    over)."""
    if not is_secretariat(user):
        return access.NOTHING
    return None if user.is_superuser else Q(is_superuser=False)


def profile_rule(user) -> Q | None:
    return None if is_secretariat(user) else Q(user=user)


def register() -> None:
    access.register(Society, _own(society_of))
    access.register(District, _own(district_of))
    for model in (UpperUnit, Partner, Expert, ExpertCategory, Industry):
        access.register(model, reference_rule)
    access.register(Contact, contact_rule)
    access.register(Account, account_rule)
    access.register(Profile, profile_rule)


@dataclass(frozen=True)
class Portal:
    """What the signed-in user is and may do, for templates (``portal.…``), so none compares role names."""

    role: Role | None
    society: Society | None
    district: District | None

    @property
    def is_secretariat(self) -> bool:
        return self.role == Role.SECRETARIAT

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def has_role(self) -> bool:
        return self.role is not None

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.SECRETARIAT, Role.LEADER)

    @property
    def is_contact(self) -> bool:
        """A society's or a district association's contact (the ones with "my projects")."""
        return self.role in (Role.SOCIETY, Role.DISTRICT)


def portal_of(user) -> Portal:
    return Portal(role_of(user), society_of(user), district_of(user))
