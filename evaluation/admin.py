from django.contrib import admin

from sanlian.admin import ScopedAdminMixin

from .models import Indicator, Nomination, Round


class IndicatorInline(admin.TabularInline):
    """A round's scheme, read-only here: it is edited (and its weights checked) on the evaluation pages."""

    model = Indicator
    extra = 0
    fields = ["order", "code", "name", "rule", "weight", "normalisation", "threshold"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Rounds are run from the evaluation pages (weights are checked there); the back office reads them. A
    published round is frozen: it cannot be changed or deleted here (a draft may be deleted); there is no bulk
    delete, so a selection cannot take a published round with it."""

    list_display = ["name", "year", "half", "evaluated", "status", "published_at"]
    list_filter = ["status", "year"]
    inlines = [IndicatorInline]
    readonly_fields = ["status", "published_by", "published_at", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Round._meta.fields if field.name != "id"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


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
