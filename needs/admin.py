from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Need, NeedMatch, NeedVisit


class MatchInline(admin.TabularInline):
    model = NeedMatch
    extra = 0
    autocomplete_fields = ["expert", "upper_unit"]


@admin.register(Need)
class NeedAdmin(SimpleHistoryAdmin):
    list_display = ["title", "partner", "district", "industry", "status", "collected_on"]
    list_filter = ["status", "industry", "district"]
    list_select_related = ["partner", "district", "industry"]
    search_fields = ["title", "partner__name", "description"]
    autocomplete_fields = ["partner", "project"]
    inlines = [MatchInline]


@admin.register(NeedVisit)
class NeedVisitAdmin(admin.ModelAdmin):
    list_display = ["need", "held_on", "person_times"]
    list_select_related = ["need"]
    autocomplete_fields = ["need", "experts"]
