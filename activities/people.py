"""People programmes (科技辅导员 and similar rosters): keeping the roster and counting it per district for the lists
and the district's page. Every count starts from ``RosterMember.objects.for_user(user)``."""

from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from .models import Programme, RosterMember


def default_programme() -> Programme:
    """科技辅导员, the programme a new roster entry belongs to unless another is chosen (made if it was removed)."""
    return Programme.objects.get_or_create(code=Programme.TUTOR, defaults={"name": "科技辅导员", "order": 10})[0]


def save_member(member: RosterMember, *, user) -> RosterMember:
    """Save a new or changed roster entry (its history records ``user``)."""
    if member.pk is None:
        member.entered_by = user
    member._history_user = user
    member.save()
    return member


def delete_member(member: RosterMember, *, user) -> None:
    member._history_user = user
    member.delete()


def counts_by_district(user, *, programme: Programme | None = None, year: int | None = None) -> list[dict]:
    """Per district (district order; members without one last): ``members`` on the rosters ``user`` may see (of one
    programme if given) and those ``certified`` in ``year`` (default this year)."""
    year = year or timezone.localdate().year
    members = RosterMember.objects.for_user(user)
    if programme is not None:
        members = members.filter(programme=programme)
    rows = members.values("district_id", "district__name", "district__order").annotate(
        members=Count("id"), certified=Count("id", filter=Q(certified_on__year=year))).order_by(
        "district__order", "district__name")
    return [{"district_id": row["district_id"], "name": row["district__name"] or "", "members": row["members"],
             "certified": row["certified"]} for row in rows]


def district_counts(user, district, *, year: int) -> list[dict]:
    """Per programme, the district's roster members (``members``) and those certified in ``year``."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = RosterMember.objects.for_user(user).filter(district=district).values(
        "programme_id", "programme__name", "programme__order").annotate(
        members=Count("id"), certified=Count("id", filter=Q(certified_on__gte=start, certified_on__lte=end))
    ).order_by("programme__order", "programme__name")
    return [{"programme_id": row["programme_id"], "name": row["programme__name"], "members": row["members"],
             "certified": row["certified"]} for row in rows]


def district_roster_panel(*, user, organisation, **context) -> dict | None:
    """The ``organisation`` panel of a district's page: its roster counts per programme (what ``user`` may see)."""
    from societies.models import District

    if not isinstance(organisation, District) or organisation.is_city:
        return None
    year = timezone.localdate().year
    return {"order": 25, "template": "activities/_district_roster.html", "year": year, "district": organisation,
            "programmes": district_counts(user, organisation, year=year)}
