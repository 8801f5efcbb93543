"""Panels that the needs app adds to lower apps' pages (``sanlian.panels``)."""

from django.utils import timezone

from societies.models import District, Expert, Partner

from .report import needs_section


def organisation_needs(*, user, organisation, **context) -> dict | None:
    """On a district's or an enterprise's page: the "需求对接" section of this year's needs there that ``user`` may
    see (``needs.report.needs_section``); on an expert's page in the registry, a link to the expert's service
    ledger."""
    if isinstance(organisation, Expert):
        return {"order": 20, "template": "needs/_expert_link.html", "expert": organisation}
    lookup = {District: "district", Partner: "partner"}.get(type(organisation))
    if lookup is None:
        return None
    section = needs_section(user=user, year=timezone.localdate().year, **{lookup: organisation})
    return {"order": 20, "template": "needs/_organisation_needs.html", "section": section}
