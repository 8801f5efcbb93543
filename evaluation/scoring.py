"""Scores of a round: each unit's value, points and rows per indicator, its total, rank and grade; the scheme's
checks; the default scheme shipped from the plan; publishing (which freezes the round into ``Result`` rows).

``unit_scores`` reads a published round's frozen results and computes a draft round from the data, so every page,
export and the ``evaluate`` command show the same numbers.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from societies.models import District, Society

from .choices import Grade, Normalisation, RoundStatus, UnitKind
from .models import Indicator, Mark, Result, Round
from .rules import RULES

DEFAULT_SCHEME = Path(settings.BASE_DIR) / "fixtures" / "evaluation-default.json"


class SchemeError(ValidationError):
    """A scheme that cannot be computed (weights not adding up to 100, an unknown rule …)."""


@dataclass
class IndicatorScore:
    code: str
    name: str
    weight: int
    value: float
    points: float
    record_ids: list[int] = field(default_factory=list)
    normalisation: str = Normalisation.BEST
    rule: str = ""

    @property
    def lost(self) -> float:
        return round(self.weight - self.points, 2)


@dataclass
class UnitScore:
    unit: str
    kind: str
    unit_id: int
    score: float
    rank: int = 0
    grade: str = Grade.POOR
    indicators: list[IndicatorScore] = field(default_factory=list)

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label

    @property
    def key(self) -> str:
        return "{}{}".format(self.kind[0], self.unit_id)

    @property
    def lost_points(self) -> list[IndicatorScore]:
        return [item for item in self.indicators if item.lost > 0]

    def as_json(self) -> dict:
        return {"unit": self.unit, "kind": self.kind, "score": self.score, "rank": self.rank, "grade": self.grade,
                "indicators": [{"code": i.code, "name": i.name, "weight": i.weight, "value": i.value,
                                "points": i.points, "record_ids": i.record_ids} for i in self.indicators]}


def check_scheme(indicators, *, grades: tuple[int, int, int] | None = None) -> None:
    """Raise ``SchemeError`` (a Chinese message) unless the weights add up to 100, every rule is known, a threshold
    indicator has a threshold, there is at most one mark, and the grade thresholds descend."""
    total = sum(int(item.weight or 0) for item in indicators)
    if total != 100:
        raise SchemeError(_("The weights of the indicators add up to {total}, not 100.").format(total=total))
    for item in indicators:
        if item.rule not in RULES:
            raise SchemeError(_("Unknown counting rule: {rule}.").format(rule=item.rule))
        if item.normalisation == Normalisation.THRESHOLD and not item.threshold:
            raise SchemeError(_("The indicator “{name}” needs a threshold.").format(name=item.name))
        if (item.normalisation == Normalisation.MARK) != (item.rule == "secretariat_mark"):
            raise SchemeError(_("Only the secretariat's mark is normalised as a mark."))
    if grades is not None and not grades[0] > grades[1] > grades[2]:
        raise SchemeError(_("The grade thresholds must descend: excellent above good above fair."))


def save_scheme(round_: Round, indicators: list[Indicator]) -> None:
    """Check a round's indicators with its grade thresholds (``check_scheme``) and store them together, all or
    nothing. ``round_`` and ``indicators`` carry the edited values, not saved yet."""
    check_scheme(indicators, grades=(round_.excellent_min, round_.good_min, round_.fair_min))
    with transaction.atomic():
        round_.save()
        for item in indicators:
            item.save()


def _units(kind: str) -> list:
    if kind == UnitKind.SOCIETY:
        return list(Society.objects.filter(is_active=True).order_by("name").values_list("pk", "name"))
    # the city association is the city level, not a district: it is kept out of district rankings
    return list(District.objects.filter(is_city=False).order_by("order", "name").values_list("pk", "name"))


def _points(indicator, value: float, best: float) -> float:
    if indicator.normalisation == Normalisation.MARK:
        share = value / indicator.weight if indicator.weight else 0
    elif indicator.normalisation == Normalisation.THRESHOLD:
        share = value / indicator.threshold
    else:
        share = value / best if best > 0 else 0
    return round(indicator.weight * max(min(share, 1), 0), 2)


def rank_scores(scores: list[UnitScore]) -> None:
    """Competition ranks by score, highest first (ties share a rank: 1, 1, 3)."""
    ordered = sorted(scores, key=lambda item: (-item.score, item.unit))
    for position, item in enumerate(ordered):
        previous = ordered[position - 1] if position else None
        item.rank = previous.rank if previous and previous.score == item.score else position + 1
    scores[:] = ordered


def compute(round_: Round, *, indicators=None, marks=None, today=None) -> list[UnitScore]:
    """Every evaluated unit's scores from the data (without saving): the rows each indicator counts, its value,
    its points (rounded to 2 decimals; the score is their sum), rank and grade within the unit's kind."""
    indicators = list(round_.indicators.all()) if indicators is None else list(indicators)
    check_scheme(indicators)
    if marks is None:
        marks = list(round_.marks.all()) if round_.pk else []
    start, end = round_.period()
    result = []
    for kind in round_.unit_kinds():
        units = _units(kind)
        computed = {item.code: RULES[item.rule].compute(kind, start, end, today=today, marks=marks)
                    for item in indicators}
        best = {code: max((values.get(pk, (0, []))[0] for pk, _name in units), default=0)
                for code, values in computed.items()}
        scores = []
        for unit_id, name in units:
            parts = []
            for item in indicators:
                values = computed[item.code]
                value, ids = values.get(unit_id, (0, []))
                parts.append(IndicatorScore(item.code, item.name, item.weight, value,
                                            _points(item, value, best[item.code]),
                                            ids, item.normalisation, item.rule))
            score = round(sum(part.points for part in parts), 2)
            scores.append(UnitScore(name, kind, unit_id, score, indicators=parts))
        rank_scores(scores)
        for item in scores:
            item.grade = round_.grade_for(item.score)
        result.extend(scores)
    return result


def _from_result(row: Result) -> UnitScore:
    return UnitScore(row.unit_name, row.kind, row.society_id or row.district_id, row.score, row.rank, row.grade,
                     [IndicatorScore(**item) for item in row.indicators])


def unit_scores(round_: Round, *, results=None) -> list[UnitScore]:
    """A published round's frozen results (``results``: a scoped queryset of them), or a draft round computed."""
    if round_.is_published:
        rows = round_.results.all() if results is None else results
        return [_from_result(row) for row in rows.order_by("kind", "rank", "unit_name")]
    return compute(round_)


@transaction.atomic
def publish(round_: Round, *, user) -> int:
    """Freeze a draft round: compute it once more and store every unit's result; later data changes leave them.
    Side effects: ``Result`` rows, the round's status, publisher and time. Returns the number of results."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.is_published:
        raise SchemeError(_("This round is already published."))
    scores = compute(round_)
    Result.objects.bulk_create([Result(
        round=round_, kind=item.kind, unit_name=item.unit, score=item.score, rank=item.rank, grade=item.grade,
        society_id=item.unit_id if item.kind == UnitKind.SOCIETY else None,
        district_id=item.unit_id if item.kind == UnitKind.DISTRICT else None,
        indicators=[asdict(part) for part in item.indicators]) for item in scores])
    round_.status, round_.published_by, round_.published_at = RoundStatus.PUBLISHED, user, timezone.now()
    round_.save(update_fields=["status", "published_by", "published_at"])
    return len(scores)


def default_scheme(path: Path = DEFAULT_SCHEME) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def default_round(*, year: int, half: int = 0, evaluated: str = "both", path: Path = DEFAULT_SCHEME):
    """The shipped default scheme for a period, unsaved: the round and its indicators."""
    scheme = default_scheme(path)
    round_ = Round(name=scheme["name"].format(year=year), year=year, half=half, evaluated=evaluated,
                   **scheme["grades"])
    indicators = [Indicator(order=order, **item) for order, item in enumerate(scheme["indicators"], start=1)]
    return round_, indicators


@transaction.atomic
def create_round(*, name: str, year: int, half: int, evaluated: str, user, grades=None) -> Round:
    """A new draft round with the default scheme's indicators (the secretariat edits them afterwards)."""
    draft, indicators = default_round(year=year, half=half, evaluated=evaluated)
    draft.name, draft.created_by = name or draft.name, user
    if grades is not None:
        draft.excellent_min, draft.good_min, draft.fair_min = grades
    draft.save()
    for item in indicators:
        item.round = draft
    Indicator.objects.bulk_create(indicators)
    return draft


@transaction.atomic
def set_mark(round_: Round, *, kind: str, unit_id: int, points, comment: str, user) -> Mark:
    """The secretariat's qualitative mark of one unit (0 to the mark indicator's weight, comment required)."""
    if round_.is_published:
        raise SchemeError(_("A published round is frozen: its marks cannot change."))
    mark = next((item for item in round_.indicators.all() if item.rule == "secretariat_mark"), None)
    if mark is None:
        raise SchemeError(_("This round has no mark indicator."))
    if not (comment or "").strip():
        raise SchemeError(_("A mark needs a comment."))
    if points is None or not 0 <= points <= mark.weight:
        raise SchemeError(_("The mark must be between 0 and {weight}.").format(weight=mark.weight))
    owner = {"society_id": unit_id} if kind == UnitKind.SOCIETY else {"district_id": unit_id}
    row, _created = Mark.objects.update_or_create(round=round_, **owner, defaults={
        "points": points, "comment": comment.strip(), "marked_by": user})
    return row
