from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (ActivityEvidence, Campaign, CampaignLine, Measure, OwnActivity, Programme, RosterMember, Venue,
                     VenueKind)


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
    autocomplete_fields = ["district", "society", "linked_societies", "upper_units", "partners", "experts", "venue"]
    readonly_fields = ["entered_by", "reviewed_by", "reviewed_at", "review"]
    date_hierarchy = "held_on"
    inlines = [EvidenceInline]

    def get_queryset(self, request):
        return OwnActivity.objects.for_user(request.user).select_related("district", "society")


class CampaignLineInline(admin.TabularInline):
    model = CampaignLine
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["title", "district", "starts_on", "ends_on", "sessions", "participants"]
    list_filter = ["district"]
    list_select_related = ["district"]
    search_fields = ["title", "scope"]
    autocomplete_fields = ["district"]
    readonly_fields = ["entered_by"]
    inlines = [CampaignLineInline]

    def get_queryset(self, request):
        return Campaign.objects.for_user(request.user).select_related("district")


@admin.register(VenueKind)
class VenueKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Venue)
class VenueAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "district", "founded_on", "status"]
    list_filter = ["kind", "status", "district"]
    list_select_related = ["kind", "district"]
    search_fields = ["name", "host"]
    autocomplete_fields = ["district"]

    def get_queryset(self, request):
        return Venue.objects.for_user(request.user).select_related("kind", "district")


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    """The 16 measures: the secretariat edits their wording and tags projects with them."""

    list_display = ["number", "short_name", "group", "lead_unit", "is_active"]
    search_fields = ["short_name", "text"]
    autocomplete_fields = ["projects"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """The people programmes (科技辅导员 …): an editable list."""

    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code"]


@admin.register(RosterMember)
class RosterMemberAdmin(SimpleHistoryAdmin):
    list_display = ["name", "programme", "unit", "district", "certified_on", "trainings"]
    list_filter = ["programme", "district"]
    list_select_related = ["programme", "district"]
    search_fields = ["name", "unit"]
    autocomplete_fields = ["district"]
    readonly_fields = ["entered_by"]

    def get_queryset(self, request):
        return RosterMember.objects.for_user(request.user).select_related("programme", "district")
