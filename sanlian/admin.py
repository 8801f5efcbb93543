"""Back-office plumbing shared by the apps' ``admin.py`` (the scoped lists, a date-range filter), and the admin app's
configuration (``INSTALLED_APPS`` names ``sanlian.admin.PortalAdminConfig`` instead of ``django.contrib.admin``)."""

from datetime import date
from urllib.parse import parse_qsl

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models


class ScopedAdminMixin:
    """Back-office lists pass the same access entry point as the portal's pages (``Model.objects.for_user``)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


# The back office's technical tables (log-in lockouts, the Celery schedule and results, accounts and groups, the
# reminder machinery's ledger): for superusers only; the secretariat's staff account sees the domain models.
TECHNICAL_APPS = ("auth", "axes", "django_celery_beat", "django_celery_results")


class SuperuserOnlyMixin:
    """A model admin that only an active superuser sees or uses (its own rules still apply on top)."""

    @staticmethod
    def _superuser(request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request):
        return self._superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request) and super().has_delete_permission(request, obj)


def restrict_to_superusers(site, *, apps=TECHNICAL_APPS, models=()) -> list:
    """Re-register every model of ``apps`` and each of ``models`` on ``site`` with its admin made superuser-only.
    Called once the apps' admin modules are loaded (from the last app's ``admin.py``); returns the models."""
    restricted = []
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label not in apps and model not in models:
            continue
        base = type(model_admin)
        if issubclass(base, SuperuserOnlyMixin):
            continue
        site.unregister(model)
        site.register(model, type(base.__name__, (SuperuserOnlyMixin, base), {"__module__": base.__module__}))
        restricted.append(model)
    return restricted


class PortalAdminConfig(AdminConfig):
    """The admin app: after every app's ``admin.py`` is loaded, the technical tables become superuser-only."""

    def ready(self) -> None:
        super().ready()
        restrict_to_superusers(admin.site)


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
