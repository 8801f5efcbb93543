"""The reach figures of the campaigns (集中活动) and the own activities of a district association: what the
district's page, the dashboard and the half-yearly report show (场次, 人次, 镇街, 学校, 宣传信息)."""

from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from projects.choices import ReviewStatus

from .models import Campaign, OwnActivity, Venue

FIGURES = ("sessions", "participants", "towns", "schools", "publicity")


def _in_period(start: date, end: date) -> Q:
    """Campaigns that started in the period."""
    return Q(starts_on__gte=start, starts_on__lte=end)


def campaign_reach(user, *, start: date, end: date, district=None) -> dict:
    """Totals of the campaigns ``user`` may see that started between ``start`` and ``end`` (of one district if
    given): ``campaigns`` and each of ``FIGURES``."""
    campaigns = Campaign.objects.for_user(user).filter(_in_period(start, end))
    if district is not None:
        campaigns = campaigns.filter(district=district)
    return campaigns.aggregate(campaigns=Count("id"), **{name: Coalesce(Sum(name), 0) for name in FIGURES})


def reach_by_district(user, *, start: date, end: date) -> list[dict]:
    """Per district (in district order): its campaigns' totals and its confirmed own activities with their
    participants, for the period; districts with neither are left out."""
    rows: dict[int, dict] = {}
    campaigns = Campaign.objects.for_user(user).filter(_in_period(start, end)).values(
        "district_id", "district__name", "district__order").annotate(
        campaigns=Count("id"), **{name: Coalesce(Sum(name), 0) for name in FIGURES}).order_by()
    for row in campaigns:
        rows[row["district_id"]] = {"name": row["district__name"], "order": row["district__order"],
                                    "activities": 0, "activity_participants": 0,
                                    **{name: row[name] for name in ("campaigns", *FIGURES)}}
    activities = OwnActivity.objects.for_user(user).filter(
        district__isnull=False, review=ReviewStatus.CONFIRMED, held_on__gte=start, held_on__lte=end).values(
        "district_id", "district__name", "district__order").annotate(
        n=Count("id"), people=Coalesce(Sum("participants"), 0)).order_by()
    for row in activities:
        entry = rows.setdefault(row["district_id"], {"name": row["district__name"], "order": row["district__order"],
                                                     "campaigns": 0, **{name: 0 for name in FIGURES}})
        entry["activities"], entry["activity_participants"] = row["n"], row["people"]
    return sorted(rows.values(), key=lambda row: (row["order"], row["name"]))


def district_figures(user, district, *, year: int) -> dict:
    """What a district did in ``year`` (what ``user`` may see), as the district's page and ``district_report``
    show it: confirmed own activities (``activities``, their ``experts`` person-times), campaigns and their reach
    (``sessions``, ``towns``, ``schools``, ``publicity``), ``participants`` = person-times of both, bases and venues
    in operation or being set up (``venues``) and those founded in the year (``new_venues``), list projects of the
    year linked to the district (``projects``)."""
    from projects.models import Project

    from .models import VenueStatus

    start, end = date(year, 1, 1), date(year, 12, 31)
    own = OwnActivity.objects.for_user(user).filter(district=district, review=ReviewStatus.CONFIRMED,
                                                    held_on__gte=start, held_on__lte=end).aggregate(
        n=Count("id"), people=Coalesce(Sum("participants"), 0), experts=Coalesce(Sum("expert_person_times"), 0))
    reach = campaign_reach(user, start=start, end=end, district=district)
    venues = Venue.objects.for_user(user).filter(district=district).exclude(status=VenueStatus.CLOSED)
    return {
        "district": district.name, "year": year, "activities": own["n"],
        "participants": own["people"] + reach["participants"], "campaigns": reach["campaigns"],
        "sessions": reach["sessions"], "towns": reach["towns"], "schools": reach["schools"],
        "publicity": reach["publicity"], "venues": venues.count(),
        "new_venues": venues.filter(founded_on__gte=start, founded_on__lte=end).count(),
        "experts": own["experts"],
        "projects": Project.objects.for_user(user).filter(year=year, district_links__district=district).distinct()
        .count(),
    }


def district_reach_panel(*, user, organisation, **context) -> dict | None:
    """The ``organisation`` panel of a district's page: this year's campaigns with their reach and the district's
    own activities (what ``user`` may see of them)."""
    from django.utils import timezone

    from societies.models import District

    if not isinstance(organisation, District) or organisation.is_city:
        return None
    today = timezone.localdate()
    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    campaigns = Campaign.objects.for_user(user).filter(_in_period(start, end), district=organisation)
    activities = OwnActivity.objects.for_user(user).filter(district=organisation, held_on__gte=start,
                                                           held_on__lte=end)
    venues = Venue.objects.for_user(user).filter(district=organisation).select_related("kind").annotate(
        activities_this_year=Count("activities", filter=Q(activities__held_on__gte=start,
                                                          activities__held_on__lte=end)))
    return {"order": 20, "template": "activities/_district_reach.html", "year": today.year, "district": organisation,
            "figures": district_figures(user, organisation, year=today.year),
            "reach": campaign_reach(user, start=start, end=end, district=organisation),
            "campaigns": campaigns[:50], "activities": activities[:50], "activity_count": activities.count(),
            "venues": venues[:100], "new_venues": venues.filter(founded_on__gte=start, founded_on__lte=end).count()}
