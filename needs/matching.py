"""Suggesting experts and upper-level units for a need, ranked, each with its reasons.

Chinese text has no spaces, so words are not split by a segmenter: both the need (title + description) and the
expert's fields (专业领域 / 研究方向) are cut into overlapping character bigrams ("锂电池隔膜" → 锂电, 电池, 池隔,
隔膜), Latin words kept whole; no dependency, no dictionary to keep. A shared bigram weighs by its rarity among the
experts (inverse document frequency), so "技术" matches little and "隔膜" much; the need's matched bigrams are
joined back into the words shown as the reason ("锂电池隔膜"). To this come: the same "6+3" industry, past visits to
needs of that industry, and a load penalty for each need the expert is assigned to and still open.
"""

import math
from functools import lru_cache
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from sanlian.access import condition_for
from societies.models import Expert, UpperUnit

from . import registry
from .models import Need, NeedMatch

_CJK = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z0-9][a-z0-9+#.-]*[a-z0-9+#]|[a-z]")
# Bigrams that every need or unit name has: they carry no meaning for matching.
STOP = frozenset("技术 企业 需求 问题 提高 提升 解决 进行 相关 方面 领域 有限 公司 研究 开发 应用 需要 希望 目前 存在 "
                 "实现 以及 一个 方法 我们 工作 项目 产品 生产 山东 中国 中华 学会 协会 省学 市学 科学 专家 服务 "
                 "能力 水平 质量 效率 降低 成本 建设 推广 发展".split())
INDUSTRY_WEIGHT = 3.0
SERVICE_WEIGHT = 0.5
SERVICE_CAP = 3
LOAD_PENALTY = 0.5
MAX_WORDS = 6


@lru_cache(maxsize=20_000)
def bigrams(text: str) -> frozenset[str]:
    """The matching tokens of a text: CJK character bigrams (a lone character is dropped) and Latin words.
    Cached by text: an expert's fields are tokenised once per process, not on every suggestion."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    tokens = {run[i:i + 2] for run in _CJK.findall(text) for i in range(len(run) - 1)}
    tokens |= {word for word in _LATIN.findall(text) if len(word) > 1}
    return frozenset(tokens - STOP)


def matching_words(text: str, shared: set[str]) -> list[str]:
    """The words of ``text`` made of the shared tokens: chains of characters each joined to the next by a shared
    bigram; a word inside a longer one is dropped."""
    text = unicodedata.normalize("NFKC", text or "")
    words: list[str] = []
    for run in _CJK.findall(text):
        start = 0
        for i in range(len(run)):
            if i == len(run) - 1 or run[i:i + 2] not in shared:
                if i > start and run[start:i + 1] not in words:
                    words.append(run[start:i + 1])
                start = i + 1
    words += [word for word in dict.fromkeys(_LATIN.findall(text.lower())) if word in shared]
    words = [word for word in words if not any(word != other and word in other for other in words)]
    return words[:MAX_WORDS]


@dataclass
class Suggestion:
    kind: str  # "expert" | "unit"
    id: int
    name: str
    score: float
    reasons: list[str] = field(default_factory=list)
    detail: str = ""

    def as_json(self) -> dict:
        return {"expert_id": self.id, "name": self.name, "score": self.score, "reasons": self.reasons}


def _need_text(need: Need) -> str:
    return "{} {}".format(need.title, need.description)


def suggest_experts(need: Need, *, user, limit: int = 5) -> list[Suggestion]:
    """The experts ``user`` may see, not yet assigned to ``need``, best first (ties in registry order), with
    reasons. The registry's tokens and counts come from this process's copy (``needs.registry``, rebuilt when
    anything in it changes); the need's own matches and the names shown are read each time."""
    text = _need_text(need)
    need_tokens = bigrams(text)
    assigned = set(NeedMatch.objects.filter(need=need, expert__isnull=False).values_list("expert_id", flat=True))
    held = registry.current(bigrams)
    visible = Expert.objects.for_user(user)
    if condition_for(Expert, user) is None:
        seen = held.tokens.keys()
    else:  # a narrower registry (none today: every role sees all experts)
        seen = set(visible.values_list("id", flat=True)) & held.tokens.keys()
    same_industry = held.by_industry.get(need.industry_id, frozenset()) if need.industry_id else frozenset()
    services = held.services_for(need)
    load = held.load
    # the experts sharing a bigram with the need, and how many share each (its rarity among the experts seen)
    frequency: Counter = Counter()
    sharing: set[int] = set()
    for token in need_tokens:
        having = [pk for pk in held.postings.get(token, ()) if pk in seen]
        frequency[token] = len(having)
        sharing.update(having)
    # each one's shared bigrams as before (the same set, so its weights are summed in the same order)
    shared_by = {pk: held.tokens[pk] & need_tokens for pk in sharing}
    weight = {token: math.log(1 + len(seen) / count) for token, count in frequency.items() if count}
    scored = []
    for pk in ((shared_by.keys() | same_industry | services.keys()) & seen) - assigned:
        shared = shared_by.get(pk, frozenset())
        same = pk in same_industry
        score = (INDUSTRY_WEIGHT if same else 0.0) + sum(weight[token] for token in shared) \
            + SERVICE_WEIGHT * min(services[pk], SERVICE_CAP)
        scored.append((round(score - LOAD_PENALTY * load[pk], 2), pk, same, shared))
    scored.sort(key=lambda item: (-item[0], item[1]))
    scored = scored[:limit]
    # Names and the reasons (translated text, the matching words) only for the ones shown.
    names = {pk: (name, unit) for pk, name, unit in visible.filter(pk__in=[item[1] for item in scored])
             .values_list("id", "name", "organisation")}
    industry_name = need.industry.name if need.industry_id else ""
    result = []
    for score, pk, same, shared in scored:
        if pk not in names:  # removed since the copy was made (a change whose version bump was lost)
            continue
        name, organisation = names[pk]
        reasons = []
        if same:
            reasons.append(_("same industry: {industry}").format(industry=industry_name))
        if shared:
            reasons.append(_("matching words: {words}").format(words="、".join(matching_words(text, shared))))
        if services[pk]:
            reasons.append(_("served {count} needs of this industry before").format(count=services[pk]))
        if load[pk]:
            reasons.append(_("busy: {count} open matches").format(count=load[pk]))
        result.append(Suggestion("expert", pk, name, score, reasons, organisation))
    return result


def suggest_units(need: Need, *, user, limit: int = 5) -> list[Suggestion]:
    """Upper-level units ranked by units matched before to needs of the same industry and words of their name."""
    text = _need_text(need)
    need_tokens = bigrams(text)
    assigned = set(NeedMatch.objects.filter(need=need, upper_unit__isnull=False)
                   .values_list("upper_unit_id", flat=True))
    before: Counter = Counter()
    if need.industry_id:
        before = Counter(dict(NeedMatch.objects.filter(upper_unit__isnull=False, need__industry_id=need.industry_id)
                              .exclude(need=need).values_list("upper_unit_id").annotate(n=Count("id")).order_by()))
    result = []
    for pk, name in UpperUnit.objects.for_user(user).values_list("id", "name"):
        if pk in assigned:
            continue
        shared = bigrams(name) & need_tokens
        score, reasons = 0.0, []
        if shared:
            score += 2.0 * len(shared)
            reasons.append(_("matching words: {words}").format(words="、".join(matching_words(text, shared))))
        if before[pk]:
            score += min(before[pk], SERVICE_CAP)
            reasons.append(_("matched to {count} needs of this industry before").format(count=before[pk]))
        if score > 0:
            result.append(Suggestion("unit", pk, name, round(score, 2), reasons))
    result.sort(key=lambda item: (-item.score, item.name, item.id))
    return result[:limit]
