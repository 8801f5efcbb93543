"""The expert registry as the suggestions read it, tokenised once per process instead of on every suggestion.

What ``suggest_experts`` counts from the whole registry — each expert's bigrams (with an inverted index: which
experts have a bigram), the experts of each "6+3" industry, past visits per industry (and per need, so that a need's
own visits can be left out) and the open matches per expert — is read from the database in four queries and kept
in this process under a version held in Django's cache (Redis: shared by every process). Any save or delete of an
expert, its industries, a need, a match or a visit (and of a visit's experts) replaces the version, so every process
rebuilds its copy at its next suggestion: a suggestion never shows what another process has changed since.

The version is a random token, not a counter: a cleared cache (or a restarted Redis) cannot bring back a version
some process still holds. It is replaced after the writing transaction commits (``on_commit``); until then the
writing thread, which sees its own uncommitted rows, builds a copy for itself alone and keeps none (a rolled-back
transaction leaves nothing behind). Without the cache (Redis down) every suggestion reads the database, as before.
A copy is also dropped after ``MAX_AGE_SECONDS`` whatever the version says (a bump missed while Redis was down).
"""

import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count

from societies.models import Expert

from .choices import NeedStatus
from .models import NeedMatch, NeedVisit

VERSION_KEY = "sanlian:needs:registry-version"
MAX_AGE_SECONDS = 600


@dataclass(frozen=True)
class Registry:
    tokens: dict[int, frozenset]  # expert id → the bigrams of their fields
    postings: dict[str, tuple[int, ...]]  # bigram → the experts having it
    by_industry: dict[int, frozenset]  # industry id → its experts
    services: dict[int, Counter]  # industry id → expert id → visits to needs of that industry
    need_visits: dict[int, tuple[int | None, Counter]]  # need id → (its industry id, expert id → its visits)
    load: Counter  # expert id → matches to needs still open (matched or visited)

    def services_for(self, need) -> Counter:
        """Past visits per expert to needs of ``need``'s industry, ``need``'s own visits left out."""
        if not need.industry_id:
            return Counter()
        counts = Counter(self.services.get(need.industry_id, ()))
        industry, own = self.need_visits.get(need.pk, (None, Counter()))
        if industry == need.industry_id:
            counts.subtract(own)
        return +counts  # only the experts with a visit left


def build(tokenise) -> Registry:
    """The registry read from the database, each expert's fields cut by ``tokenise`` (``matching.bigrams``)."""
    tokens = {pk: tokenise(fields) for pk, fields in Expert.objects.order_by("pk").values_list("pk", "field")}
    postings: dict[str, list[int]] = defaultdict(list)
    for pk, bag in tokens.items():
        for token in bag:
            postings[token].append(pk)
    by_industry: dict[int, set[int]] = defaultdict(set)
    for expert_id, industry_id in Expert.industries.through.objects.values_list("expert_id", "industry_id"):
        by_industry[industry_id].add(expert_id)
    services: dict[int, Counter] = defaultdict(Counter)
    need_visits: dict[int, tuple[int | None, Counter]] = {}
    # one row per (visit, expert): counting rows counts distinct visits per expert
    for expert_id, need_id, industry_id in NeedVisit.experts.through.objects.values_list(
            "expert_id", "needvisit__need_id", "needvisit__need__industry_id"):
        if industry_id is not None:
            services[industry_id][expert_id] += 1
        need_visits.setdefault(need_id, (industry_id, Counter()))[1][expert_id] += 1
    load = Counter(dict(NeedMatch.objects.filter(expert__isnull=False, need__status__in=NeedStatus.open_matched())
                        .values_list("expert_id").annotate(n=Count("id")).order_by()))
    return Registry(tokens, {token: tuple(pks) for token, pks in postings.items()},
                    {key: frozenset(value) for key, value in by_industry.items()}, dict(services), need_visits, load)


_held: tuple[str, float, Registry] | None = None  # (version, built at, registry) of this process


def _pending() -> bool:
    """Whether this thread's open transaction has changed the registry (its bump waits for the commit; a rolled
    back savepoint or transaction takes the bump with it)."""
    return connection.in_atomic_block and any(item[1] is bump for item in connection.run_on_commit)


def current(tokenise) -> Registry:
    """The registry as of the current version: this process's copy, or a new one (``tokenise``: see ``build``)."""
    global _held
    if _pending():
        return build(tokenise)  # it sees this transaction's own rows: for this suggestion only, not kept
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    held = _held
    if held is not None and version is not None and held[0] == version \
            and time.monotonic() - held[1] < MAX_AGE_SECONDS:
        return held[2]
    registry = build(tokenise)
    if version is not None:
        _held = (version, time.monotonic(), registry)
    return registry


def bump() -> None:
    """Every process's copy is out of date."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def invalidate(**kwargs) -> None:
    """A receiver for saves and deletes of what the registry is read from."""
    global _held
    _held = None
    if not _pending():
        transaction.on_commit(bump)  # at once outside a transaction; once per transaction


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import Need

    for model in (Expert, Need, NeedMatch, NeedVisit):
        for signal in (post_save, post_delete):
            signal.connect(invalidate, sender=model, dispatch_uid="sanlian-needs-registry-" + model.__name__)
    for through in (Expert.industries.through, NeedVisit.experts.through):
        m2m_changed.connect(invalidate, sender=through, dispatch_uid="sanlian-needs-registry-" + through.__name__)
