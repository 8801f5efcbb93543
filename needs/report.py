"""The figures of the needs (需求台账) for a year: how many, by status, industry and district, the enterprises
served (distinct partners, the T3-served rule), the shares matched and solved, the median days to match and to
solve. Three queries whatever the number of needs."""

from statistics import median

from django.utils.translation import gettext as _

from .choices import NeedStatus
from .models import Need, NeedVisit


def enterprises_served(visits) -> int:
    """Distinct enterprises among the needs the visits served (one enterprise served twice counts once)."""
    return visits.values("need__partner_id").distinct().count()


def needs_report(*, year: int, user) -> dict:
    """The figures for needs collected in ``year`` that ``user`` may see; ``enterprises_served`` counts the
    enterprises visited in ``year`` (the T3-served target)."""
    rows = list(Need.objects.for_user(user).filter(collected_on__year=year).values_list(
        "status", "industry__name", "district__name", "collected_on", "matched_on", "closed_on"))
    unclassified = _("Unclassified")
    by_status = {status: 0 for status in NeedStatus.values}
    by_industry: dict[str, int] = {}
    by_district: dict[str, int] = {}
    to_match, to_solve = [], []
    for status, industry, district, collected_on, matched_on, closed_on in rows:
        by_status[status] += 1
        by_industry[industry or unclassified] = by_industry.get(industry or unclassified, 0) + 1
        by_district[district] = by_district.get(district, 0) + 1
        if matched_on is not None:
            to_match.append((matched_on - collected_on).days)
        if status == NeedStatus.SOLVED and closed_on is not None:
            to_solve.append((closed_on - collected_on).days)
    count = len(rows)
    served = enterprises_served(NeedVisit.objects.for_user(user).filter(held_on__year=year))
    return {
        "needs": count, "by_status": by_status, "by_industry": by_industry, "by_district": by_district,
        "enterprises_served": served,
        "matched_share": round(len(to_match) / count, 4) if count else 0.0,
        "solved_share": round(by_status[NeedStatus.SOLVED] / count, 4) if count else 0.0,
        "median_days_to_match": median(to_match) if to_match else None,
        "median_days_to_solve": median(to_solve) if to_solve else None,
    }
