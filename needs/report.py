"""The figures of the needs (需求台账): how many, by status, industry and district, the enterprises served
(distinct partners, the T3-served rule), the shares matched and solved, the median days to match and to solve.

``need_figures`` computes them for any (already scoped) set of needs — one query, two with the visits — and is the
one computation behind ``needs_report`` (the command and the half-year report), the dashboard's and a district's
"需求对接" section (``needs_section``): the same rows give the same numbers everywhere."""

from statistics import median
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from .choices import NeedStatus
from .models import Need, NeedVisit


def enterprises_served(visits) -> int:
    """Distinct enterprises among the needs the visits served (one enterprise served twice counts once)."""
    return visits.values("need__partner_id").distinct().count()


def need_figures(needs, visits=None, *, ids: dict | None = None) -> dict:
    """The figures of ``needs`` (a ``Need`` queryset, scoped by the caller); with ``visits`` (a ``NeedVisit``
    queryset) also the enterprises they served. ``ids``, when given, is filled with ``("industry" | "district",
    name) → id`` of the names counted (for links to the filtered ledger)."""
    rows = list(needs.values_list("status", "industry__name", "district__name", "collected_on", "matched_on",
                                  "closed_on", "industry_id", "district_id"))
    unclassified = _("Unclassified")
    by_status = {status: 0 for status in NeedStatus.values}
    by_industry: dict[str, int] = {}
    by_district: dict[str, int] = {}
    ids = {} if ids is None else ids
    to_match, to_solve = [], []
    for status, industry, district, collected_on, matched_on, closed_on, industry_id, district_id in rows:
        ids[("industry", industry)], ids[("district", district)] = industry_id, district_id
        by_status[status] += 1
        by_industry[industry or unclassified] = by_industry.get(industry or unclassified, 0) + 1
        by_district[district] = by_district.get(district, 0) + 1
        if matched_on is not None:
            to_match.append((matched_on - collected_on).days)
        if status == NeedStatus.SOLVED and closed_on is not None:
            to_solve.append((closed_on - collected_on).days)
    count = len(rows)
    figures = {
        "needs": count, "by_status": by_status, "by_industry": by_industry, "by_district": by_district,
        "matched_share": round(len(to_match) / count, 4) if count else 0.0,
        "solved_share": round(by_status[NeedStatus.SOLVED] / count, 4) if count else 0.0,
        "median_days_to_match": median(to_match) if to_match else None,
        "median_days_to_solve": median(to_solve) if to_solve else None,
    }
    if visits is not None:
        figures["enterprises_served"] = enterprises_served(visits)
    return figures


def needs_report(*, year: int, user) -> dict:
    """The figures for needs collected in ``year`` that ``user`` may see; ``enterprises_served`` counts the
    enterprises visited in ``year`` (the T3-served target). Two queries whatever the number of needs."""
    figures = need_figures(Need.objects.for_user(user).filter(collected_on__year=year),
                           NeedVisit.objects.for_user(user).filter(held_on__year=year))
    return {key: figures[key] for key in (
        "needs", "by_status", "by_industry", "by_district", "enterprises_served", "matched_share", "solved_share",
        "median_days_to_match", "median_days_to_solve")}


def needs_section(*, user, year: int, district=None, partner=None) -> dict:
    """The "需求对接" section of the dashboard (what ``user`` may see), of a district's page (``district``: the needs
    of enterprises in that district) or of an enterprise's page (``partner``): the figures of the needs collected
    in ``year``, each status linking to the 需求台账 filtered the same way (not for an enterprise: the ledger has
    no enterprise filter), the needs per "6+3" industry for the chart. Plain values only (it is cached)."""
    needs = Need.objects.for_user(user).filter(collected_on__year=year)
    visits = NeedVisit.objects.for_user(user).filter(held_on__year=year)
    query = {"year": year}
    if district is not None:
        needs, visits = needs.filter(district=district), visits.filter(need__district=district)
        query["district"] = district.pk
    if partner is not None:
        needs, visits = needs.filter(partner=partner), visits.filter(need__partner=partner)
    ids: dict[tuple[str, str], int] = {}
    figures = need_figures(needs, visits, ids=ids)
    ledger = reverse("needs:list")

    def link(**more) -> str | None:
        return None if partner is not None else "{}?{}".format(ledger, urlencode({**query, **more}))

    def rows(kind: str, counts: dict) -> list[tuple[str, int, str | None]]:
        """(name, count, link to the ledger rows it counts), most first; no link for needs without one."""
        return [(name, count, link(**{kind: ids[(kind, name)]}) if ids.get((kind, name)) else None)
                for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]

    industries = rows("industry", figures["by_industry"])
    return {
        "year": year, "figures": figures, "link": link(), "by_district": district is None and partner is None,
        "matched_percent": round(figures["matched_share"] * 100, 1),
        "solved_percent": round(figures["solved_share"] * 100, 1),
        "statuses": [{"value": value, "label": str(label), "count": figures["by_status"][value],
                      "link": link(status=value)} for value, label in NeedStatus.choices],
        "industries": industries,
        "districts": rows("district", figures["by_district"]),
        "chart": {"labels": [row[0] for row in industries], "values": [row[1] for row in industries],
                  "series": _("Needs")},
    }
