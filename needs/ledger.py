"""An expert's service ledger: every visit to a need and every activity outcome that names the expert is a line
(date, enterprise or project, person-times — one for the expert's own attendance)."""

from dataclasses import dataclass
from datetime import date

from projects.models import ActivityOutcome
from societies.models import Expert

from .models import NeedVisit


@dataclass(frozen=True)
class LedgerLine:
    held_on: date
    what: str
    served: str
    person_times: int
    url: str


def expert_ledger(expert: Expert, *, user) -> list[LedgerLine]:
    """The lines ``user`` may see, newest first (two queries)."""
    lines = [LedgerLine(visit.held_on, visit.need.title, visit.need.partner.name, 1, visit.need.get_absolute_url())
             for visit in NeedVisit.objects.for_user(user).filter(experts=expert).select_related("need__partner")]
    lines += [LedgerLine(outcome.held_on, outcome.title, outcome.project.title, 1, outcome.get_absolute_url())
              for outcome in ActivityOutcome.objects.for_user(user).filter(experts=expert, need_visit__isnull=True)
              .select_related("project")]
    return sorted(lines, key=lambda line: line.held_on, reverse=True)
