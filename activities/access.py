"""Who sees and records own activities (the rules behind ``Model.objects.for_user``).

Secretariat and leadership see every activity; a district or society contact sees their own unit's activities and
those their society is named in as a co-organiser; anyone else none (404). A contact changes only their own unit's
activities; the secretariat changes any and confirms them (``reports.records``).
"""

from django.db.models import Q
from django.http import Http404

from sanlian import access
from societies.access import district_of, is_secretariat, role_of, sees_everything, society_of

from .models import (ActivityEvidence, Campaign, CampaignLine, Measure, OwnActivity, Programme, RosterMember, Venue,
                     VenueKind)


def activity_rule(user) -> Q | None:
    if sees_everything(user):
        return None
    if (society := society_of(user)) is not None:
        return Q(society=society) | Q(pk__in=OwnActivity.linked_societies.through.objects.filter(
            society=society).values("ownactivity_id"))
    if (district := district_of(user)) is not None:
        return Q(district=district)
    return access.NOTHING


def evidence_rule(user) -> Q | None:
    condition = activity_rule(user)
    if condition is None:
        return None
    return Q(activity__in=OwnActivity.objects.filter(condition).values("pk"))


def campaign_rule(user) -> Q | None:
    """Campaigns are the districts': a district contact sees their own, the secretariat and leadership all."""
    if sees_everything(user):
        return None
    if (district := district_of(user)) is not None:
        return Q(district=district)
    return access.NOTHING


def campaign_line_rule(user) -> Q | None:
    condition = campaign_rule(user)
    return None if condition is None else Q(campaign__in=Campaign.objects.filter(condition).values("pk"))


def register() -> None:
    access.register(OwnActivity, activity_rule)
    access.register(ActivityEvidence, evidence_rule)
    access.register(Campaign, campaign_rule)
    access.register(CampaignLine, campaign_line_rule)
    access.register(Venue, any_role)
    access.register(VenueKind, any_role)
    access.register(Measure, any_role)
    access.register(Programme, any_role)
    access.register(RosterMember, roster_rule)


def roster_rule(user) -> Q | None:
    """People programmes' rosters: a district contact sees their own district's members, the secretariat and the
    leadership all; anyone else none."""
    if sees_everything(user):
        return None
    if (district := district_of(user)) is not None:
        return Q(district=district)
    return access.NOTHING


def can_read_roster(user) -> bool:
    return sees_everything(user) or district_of(user) is not None


def can_record_roster(user) -> bool:
    """The secretariat and district contacts keep the rosters (the leadership reads them)."""
    return is_secretariat(user) or district_of(user) is not None


def get_member_or_404(user, pk, *, for_change: bool = False) -> RosterMember:
    """A roster member the user may see (and change: a district contact their own district's, the secretariat
    any), else 404."""
    try:
        member = RosterMember.objects.for_user(user).select_related("programme", "district").get(pk=pk)
    except (RosterMember.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if for_change and not can_record_roster(user):
        raise Http404
    return member


def any_role(user) -> Q | None:
    """Bases and venues are a registry every role reads (a district's page lists its own, a form offers them)."""
    return None if role_of(user) is not None else access.NOTHING


def can_record_venue(user) -> bool:
    return is_secretariat(user) or district_of(user) is not None


def can_change_venue(user, venue: Venue) -> bool:
    """The secretariat keeps every venue; a district contact their own district's."""
    if is_secretariat(user):
        return True
    district = district_of(user)
    return district is not None and venue.district_id == district.pk


def get_venue_or_404(user, pk, *, for_change: bool = False) -> Venue:
    try:
        venue = Venue.objects.for_user(user).select_related("kind", "district").get(pk=pk)
    except (Venue.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if for_change and not can_change_venue(user, venue):
        raise Http404
    return venue


def can_record_campaign(user) -> bool:
    """The secretariat and district contacts enter campaigns."""
    return is_secretariat(user) or district_of(user) is not None


def get_campaign_or_404(user, pk, *, for_change: bool = False) -> Campaign:
    """A campaign the user may see (and change: their own district's, or any for the secretariat), else 404."""
    try:
        campaign = Campaign.objects.for_user(user).select_related("district").get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if for_change and not (is_secretariat(user) or district_of(user) is not None):
        raise Http404
    return campaign


def own_unit(user) -> dict | None:
    """The unit a contact records activities for (``{"district": …}`` or ``{"society": …}``), else ``None``."""
    if (district := district_of(user)) is not None:
        return {"district": district, "society": None}
    if (society := society_of(user)) is not None:
        return {"district": None, "society": society}
    return None


def can_record_activity(user) -> bool:
    """The secretariat and the contacts of a district association or a society record own activities."""
    return is_secretariat(user) or own_unit(user) is not None


def can_change_activity(user, activity: OwnActivity) -> bool:
    """The secretariat changes every activity; a contact their own unit's (not one they are only linked to)."""
    if is_secretariat(user):
        return True
    unit = own_unit(user)
    if unit is None:
        return False
    if unit["district"] is not None:
        return activity.district_id == unit["district"].pk
    return activity.society_id == unit["society"].pk and activity.district_id is None


def get_activity_or_404(user, pk, *, for_change: bool = False) -> OwnActivity:
    try:
        activity = OwnActivity.objects.for_user(user).select_related("district", "society").get(pk=pk)
    except (OwnActivity.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if for_change and not can_change_activity(user, activity):
        raise Http404
    return activity
