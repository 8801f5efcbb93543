"""Who may see and change needs (the rules behind ``Need.objects.for_user``).

Secretariat and leadership see every need; a district contact the needs their district collected and those of
enterprises in their district; a society contact the needs their society collected and those assigned to its
experts; anyone else none (404). Those who see a need as a contact also work on it (edit, record visits, close);
assigning is for the secretariat and the collecting unit. Matches and visits follow their need.
"""

from django.db.models import Q
from django.http import Http404

from sanlian import access
from societies.access import district_of, is_secretariat, sees_everything, society_of

from .models import Need, NeedMatch, NeedVisit


def need_rule(user) -> Q | None:
    if sees_everything(user):
        return None
    if (district := district_of(user)) is not None:
        return Q(collected_by_district=district) | Q(district=district)
    if (society := society_of(user)) is not None:
        assigned = NeedMatch.objects.filter(expert__society=society).values("need_id")
        return Q(collected_by_society=society) | Q(pk__in=assigned)
    return access.NOTHING


def via_need(user) -> Q | None:
    condition = need_rule(user)
    if condition is None:
        return None
    return Q(need__in=Need.objects.filter(condition).values("pk"))


def register() -> None:
    access.register(Need, need_rule)
    access.register(NeedMatch, via_need)
    access.register(NeedVisit, via_need)


def can_collect(user) -> bool:
    """Recording needs: the secretariat, district contacts and society contacts."""
    return is_secretariat(user) or district_of(user) is not None or society_of(user) is not None


def can_change(user, need: Need) -> bool:
    """The secretariat, and the contacts who see the need (the leadership reads only)."""
    if is_secretariat(user):
        return True
    if district_of(user) is None and society_of(user) is None:
        return False
    return Need.objects.for_user(user).filter(pk=need.pk).exists()


def can_assign(user, need: Need) -> bool:
    """Assigning experts and units: the secretariat and the unit that collected the need."""
    if is_secretariat(user):
        return True
    district, society = district_of(user), society_of(user)
    return ((district is not None and need.collected_by_district_id == district.pk)
            or (society is not None and need.collected_by_society_id == society.pk))


def get_need_or_404(user, pk, *, for_change: bool = False) -> Need:
    try:
        need = Need.objects.for_user(user).select_related(
            "partner", "district", "industry", "collected_by_district", "collected_by_society", "project").get(pk=pk)
    except (Need.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if for_change and not can_change(user, need):
        raise Http404
    return need
