"""Panels that the needs app adds to lower apps' pages (``sanlian.panels``)."""

from django.db.models import Count
from django.utils import timezone

from societies.models import District, Expert, Partner

from .choices import NeedStatus
from .models import Need, NeedVisit


def organisation_needs(*, user, organisation, **context) -> dict | None:
    """On a district's or an enterprise's page: this year's needs there that ``user`` may see, by status, and the
    enterprises served; on an expert's page in the registry, a link to the expert's service ledger."""
    if isinstance(organisation, Expert):
        return {"order": 20, "template": "needs/_expert_link.html", "expert": organisation}
    lookup = {District: "district", Partner: "partner"}.get(type(organisation))
    if lookup is None:
        return None
    year = timezone.localdate().year
    needs = Need.objects.for_user(user).filter(**{lookup: organisation, "collected_on__year": year})
    counts = dict(needs.values_list("status").annotate(n=Count("id")).order_by())
    served = NeedVisit.objects.for_user(user).filter(**{"need__" + lookup: organisation, "held_on__year": year}) \
        .values("need__partner_id").distinct().count()
    return {"order": 20, "template": "needs/_organisation_needs.html", "year": year, "organisation": organisation,
            "lookup": lookup, "total": sum(counts.values()), "served": served,
            "statuses": [(label, counts.get(value, 0)) for value, label in NeedStatus.choices]}
