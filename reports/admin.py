from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sanlian.admin import ScopedAdminMixin

from .forms import TargetDefinitionForm
from .models import OrganisationRecord, TargetDefinition


@admin.register(TargetDefinition)
class TargetDefinitionAdmin(SimpleHistoryAdmin):
    form = TargetDefinitionForm
    list_display = ["code", "short_name", "name", "unit", "rule", "kinds", "threshold", "period", "order", "is_active"]
    list_editable = ["threshold", "is_active"]
    list_filter = ["period", "is_active"]
    search_fields = ["code", "name", "short_name"]


@admin.register(OrganisationRecord)
class OrganisationRecordAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["kind", "happened_on", "title", "society", "district", "count", "review"]
    list_filter = ["kind", "review"]
    list_select_related = ["society", "district"]
    search_fields = ["title", "issuing_body", "document"]
    autocomplete_fields = ["society", "district"]
    raw_id_fields = ["project"]
    date_hierarchy = "happened_on"
