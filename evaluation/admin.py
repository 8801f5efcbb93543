from django.contrib import admin

from sanlian.admin import ScopedAdminMixin

from .models import Indicator, Nomination, Round


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["order", "code", "name", "rule", "weight", "normalisation", "threshold"]


@admin.register(Round)
class RoundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Rounds are run from the evaluation pages (weights are checked there); the back office reads them."""

    list_display = ["name", "year", "half", "evaluated", "status", "published_at"]
    list_filter = ["status", "year"]
    inlines = [IndicatorInline]
    readonly_fields = ["status", "published_by", "published_at", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Nomination)
class NominationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["year", "nominee_kind", "society", "district", "person_name", "step", "nominated_at"]
    list_filter = ["step", "year", "nominee_kind"]
    list_select_related = ["society", "district"]
    search_fields = ["person_name", "reasons"]
    readonly_fields = ["step", "nominated_by", "reviewed_by", "reviewed_at", "approved_by", "approved_at",
                       "published_by", "published_at", "bulletin"]

    def has_add_permission(self, request) -> bool:
        return False
