from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActivityEvidence, OwnActivity


class EvidenceInline(admin.TabularInline):
    model = ActivityEvidence
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = True


@admin.register(OwnActivity)
class OwnActivityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "held_on", "district", "society", "participants", "review"]
    list_filter = ["kind", "review", "district"]
    list_select_related = ["district", "society"]
    search_fields = ["title", "place", "town"]
    autocomplete_fields = ["district", "society", "linked_societies", "upper_units", "partners", "experts"]
    readonly_fields = ["entered_by", "reviewed_by", "reviewed_at", "review"]
    date_hierarchy = "held_on"
    inlines = [EvidenceInline]

    def get_queryset(self, request):
        return OwnActivity.objects.for_user(request.user).select_related("district", "society")
