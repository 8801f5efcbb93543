"""Who sees evaluation rounds, results, marks and nominations (the rules behind ``Model.objects.for_user``).

Secretariat and leadership see everything. A society's or district's contact sees published rounds and only their
own unit's result and nominations; marks are the secretariat's and the leadership's. Others see nothing.
"""

from django.db.models import Q

from sanlian import access
from societies.access import district_of, is_secretariat, role_of, sees_everything, society_of

from .choices import NominationStep, RoundStatus
from .models import Indicator, Mark, Nomination, Result, Round


def _own(user, prefix: str = "") -> Q | None:
    if (society := society_of(user)) is not None:
        return Q(**{prefix + "society": society})
    if (district := district_of(user)) is not None:
        return Q(**{prefix + "district": district})
    return None


def round_rule(user) -> Q | None:
    if sees_everything(user):
        return None
    return Q(status=RoundStatus.PUBLISHED) if _own(user) is not None else access.NOTHING


def indicator_rule(user) -> Q | None:
    if sees_everything(user):
        return None
    return Q(round__status=RoundStatus.PUBLISHED) if _own(user) is not None else access.NOTHING


def result_rule(user) -> Q | None:
    """A unit's result is its own: a contact never sees another unit's score."""
    if sees_everything(user):
        return None
    return _own(user) or access.NOTHING


def mark_rule(user) -> Q | None:
    return None if sees_everything(user) else access.NOTHING


def nomination_rule(user) -> Q | None:
    """Every published commendation is public to the portal's roles; a unit also sees its own nominations."""
    if sees_everything(user):
        return None
    if role_of(user) is None:
        return access.NOTHING
    published = Q(step=NominationStep.PUBLISHED)
    own = _own(user)
    return published | own if own is not None else published


def register() -> None:
    access.register(Round, round_rule)
    access.register(Indicator, indicator_rule)
    access.register(Result, result_rule)
    access.register(Mark, mark_rule)
    access.register(Nomination, nomination_rule)


def can_run(user) -> bool:
    """Creating, editing, marking and publishing rounds: the secretariat."""
    return is_secretariat(user)


def can_nominate(user) -> bool:
    return is_secretariat(user) or society_of(user) is not None or district_of(user) is not None


def can_step(user, step: str) -> bool:
    """初审 and 公布 are the secretariat's; 领导审定 is the leadership's (or the secretariat acting for it: no)."""
    from societies.choices import Role

    if step == NominationStep.APPROVED:
        return role_of(user) == Role.LEADER
    return is_secretariat(user)
