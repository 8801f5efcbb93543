"""Sane bounds for the numbers people type: a count (participants, person-times, members …) is at most ten million.

Without a bound, two rows of 2**63 - 1 made every sum on the dashboard overflow (500 for every role). The form and
back-office refusal comes from the validator (a Chinese message), the database's own refusal from the check
constraint, so no path (import, shell, API) can store more.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

COUNT_MAX = 10_000_000


def count_validators() -> list:
    return [MaxValueValidator(COUNT_MAX, message=_("At most 10,000,000: check the number."))]


def count_constraint(field: str, name: str) -> models.CheckConstraint:
    """The database's check that ``field`` lies within 0..COUNT_MAX (``name`` unique in the database)."""
    return models.CheckConstraint(condition=models.Q(**{field + "__gte": 0, field + "__lte": COUNT_MAX}), name=name)
