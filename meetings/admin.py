from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AgendaItem, Bulletin, Decision, Invitation, JointMeeting


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    autocomplete_fields = ["society", "district"]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["follow_up_of"]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    autocomplete_fields = ["society", "district"]


@admin.register(JointMeeting)
class JointMeetingAdmin(SimpleHistoryAdmin):
    list_display = ["half", "held_on", "place", "chair", "status"]
    list_filter = ["status", "half"]
    search_fields = ["half", "place", "chair"]
    inlines = [AgendaInline, DecisionInline, InvitationInline]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["text", "meeting", "society", "district", "deadline", "status"]
    list_filter = ["status", "meeting"]
    list_select_related = ["meeting", "society", "district"]
    search_fields = ["text", "follow_up"]
    autocomplete_fields = ["society", "district"]


@admin.register(Bulletin)
class BulletinAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "society", "is_public", "published_at"]
    list_filter = ["kind", "is_public"]
    search_fields = ["title", "body"]
