"""Who sees and records organisation records, who confirms what contacts enter, and who reads targets and
half-yearly reports (the rules behind ``Model.objects.for_user``)."""

from django.db.models import Q

from sanlian import access
from societies.access import district_of, is_secretariat, role_of, sees_everything, society_of

from .models import OrganisationRecord, ReportBuild, TargetDefinition


def record_rule(user) -> Q | None:
    """Organisation records: everything for the secretariat and leadership, a society's or district's own."""
    if sees_everything(user):
        return None
    if (society := society_of(user)) is not None:
        return Q(society=society)
    if (district := district_of(user)) is not None:
        return Q(district=district)
    return access.NOTHING


def any_role(user) -> Q | None:
    """The targets are read on every role's dashboard."""
    return None if role_of(user) is not None else access.NOTHING


def readers(user) -> Q | None:
    """The half-yearly reports are the secretariat's and the leadership's."""
    return None if sees_everything(user) else access.NOTHING


def register() -> None:
    access.register(OrganisationRecord, record_rule)
    access.register(TargetDefinition, any_role)
    access.register(ReportBuild, readers)


def can_record(user, *, society=None, district=None) -> bool:
    """The secretariat records anything; a society contact for their society; a district contact for theirs."""
    if is_secretariat(user):
        return True
    own_society, own_district = society_of(user), district_of(user)
    if own_society is not None:
        return society is not None and society.pk == own_society.pk and district is None
    if own_district is not None:
        return district is not None and district.pk == own_district.pk and society is None
    return False


def can_enter_records(user) -> bool:
    """The secretariat and the contacts of a society or district association enter records."""
    return is_secretariat(user) or society_of(user) is not None or district_of(user) is not None


def can_review(user) -> bool:
    """Confirming or rejecting what contacts enter (outcomes and records) is the secretariat's."""
    return is_secretariat(user)


def can_build_reports(user) -> bool:
    return is_secretariat(user)
