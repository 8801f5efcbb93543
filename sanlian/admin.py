"""Back-office plumbing shared by the apps' ``admin.py``: the scoped lists and a date-range filter."""

from datetime import date
from urllib.parse import parse_qsl

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models


class ScopedAdminMixin:
    """Back-office lists pass the same access entry point as the portal's pages (``Model.objects.for_user``)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


class DateRangeFilter(admin.FieldListFilter):
    """A "from … to …" filter on a date (or date-time) field of a back-office list: two date inputs in a plain GET
    form (no script). ``<field>__gte`` / ``<field>__lte`` in the query string, each optional; a value that is not a
    date of the portal's years (YYYY-MM-DD, 1900 to 2100) is refused by the admin's own "incorrect lookup" path
    (the list without filters and a message), never a 500. A date-time field is compared by its local date.

        list_filter = [("held_on", DateRangeFilter)]
    """

    template = "admin/sanlian/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_gte = "{}__gte".format(field_path)
        self.lookup_lte = "{}__lte".format(field_path)
        self.by_date = isinstance(field, models.DateTimeField)
        super().__init__(field, request, params, model, model_admin, field_path)

    def expected_parameters(self):
        return [self.lookup_gte, self.lookup_lte]

    def has_output(self):
        return True

    def _value(self, name: str) -> str:
        value = self.used_parameters.get(name) or ""
        return value[-1] if isinstance(value, list) else value

    def bounds(self) -> dict[str, date]:
        found = {}
        for name, operator in ((self.lookup_gte, "gte"), (self.lookup_lte, "lte")):
            value = self._value(name).strip()
            if not value:
                continue
            try:
                day = date.fromisoformat(value) if value.isascii() and len(value) == 10 else None
            except ValueError:
                day = None
            if day is None or not 1900 <= day.year <= 2100:
                raise IncorrectLookupParameters(value)
            found["{}{}__{}".format(self.field_path, "__date" if self.by_date else "", operator)] = day
        return found

    def queryset(self, request, queryset):
        return queryset.filter(**self.bounds())

    def choices(self, changelist):
        # the other parameters of the list (search, other filters, order) kept as hidden fields of the form
        others = changelist.get_query_string(remove=[self.lookup_gte, self.lookup_lte]).lstrip("?")
        yield {
            "gte_name": self.lookup_gte, "lte_name": self.lookup_lte,
            "gte": self._value(self.lookup_gte), "lte": self._value(self.lookup_lte),
            "hidden": [(key, value) for key, value in parse_qsl(others, keep_blank_values=True)],
            "active": bool(self._value(self.lookup_gte) or self._value(self.lookup_lte)),
            "clear_query_string": "?" + others,
        }
