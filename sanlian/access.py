"""The one access entry point: ``Model.objects.for_user(user)`` for every model a user can reach.

Each app's ``access.py`` states, per model, which rows a user may see as a condition (a ``Q``, or ``None`` for
every row) and registers it here from its ``AppConfig.ready()``; a model's queryset (``ScopedQuerySet``) applies
it. Views, admin, exports, feeds, form choices, reports and tasks all start from ``for_user``, so a rule is
written once. A job that needs every row says so with ``for_user(SYSTEM)``; there is no "``None`` means
everything". The ``can_*`` predicates (what a user may change) sit beside the rules in the same ``access.py``.

This module knows no domain and imports no app, so ``models.py`` files can use it without import circles.
"""

from collections.abc import Callable

from django.db import models
from django.db.models import Q


class _System:
    """The portal itself (commands, background jobs, reports for the secretariat): sees every row."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()
NOTHING = Q(pk__in=[])
_RULES: dict[str, Callable] = {}


def register(model: type[models.Model], rule: Callable) -> None:
    """``rule(user)`` gives the condition on ``model`` for what ``user`` may see (``None``: every row)."""
    _RULES[model._meta.label_lower] = rule


def condition_for(model: type[models.Model], user) -> Q | None:
    """The registered condition of ``model`` (or of the model it is a proxy of) for ``user``."""
    if user is SYSTEM:
        return None
    label = model._meta.label_lower
    if label not in _RULES and model._meta.proxy:
        label = model._meta.concrete_model._meta.label_lower
    try:
        rule = _RULES[label]
    except KeyError:
        raise LookupError("no access rule is registered for {}".format(label)) from None
    if not getattr(user, "is_authenticated", False) and not getattr(rule, "anonymous", False):
        return NOTHING
    return rule(user)


def anonymous_allowed(rule: Callable) -> Callable:
    """Mark a rule as one that also decides for anonymous visitors (public bulletins); others give them nothing."""
    rule.anonymous = True
    return rule


class ScopedQuerySet(models.QuerySet):
    """A queryset with ``for_user``; apps subclass it for their own query helpers."""

    def for_user(self, user) -> "ScopedQuerySet":
        """The rows ``user`` may see (the rule registered for this model)."""
        condition = condition_for(self.model, user)
        return self.all() if condition is None else self.filter(condition)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def has_rule(model: type[models.Model]) -> bool:
    """Whether ``model`` (or the model it is a proxy of) has an access rule."""
    meta = model._meta
    return meta.label_lower in _RULES or (meta.proxy and meta.concrete_model._meta.label_lower in _RULES)
