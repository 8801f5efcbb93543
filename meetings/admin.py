from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import half_choices
from .services import tell_owner_of_decision
from .models import AgendaItem, Bulletin, Decision, Invitation, JointMeeting


class JointMeetingAdminForm(forms.ModelForm):
    """The half year chosen from a list ("2026年上半年"), as on the portal's form."""

    class Meta:
        model = JointMeeting
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["half"].widget = forms.Select(choices=half_choices(keep=self.instance.half or ""))


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
    form = JointMeetingAdminForm
    list_display = ["half_year", "held_on", "starts_at", "ends_at", "place", "chair", "status"]
    list_filter = ["status", "half"]
    search_fields = ["half", "place", "chair"]
    inlines = [AgendaInline, DecisionInline, InvitationInline]

    @admin.display(description=_("half year"), ordering="half")
    def half_year(self, meeting: JointMeeting) -> str:
        return meeting.half_label

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Decision:
            for decision in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
                tell_owner_of_decision(decision)  # ledger-keyed: each owner's contacts once per decision


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["text", "meeting", "society", "district", "deadline", "status"]
    list_filter = ["status", "meeting"]
    list_select_related = ["meeting", "society", "district"]
    search_fields = ["text", "follow_up"]
    autocomplete_fields = ["society", "district"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        tell_owner_of_decision(obj)  # ledger-keyed: each owner's contacts once per decision


@admin.register(Bulletin)
class BulletinAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "society", "is_public", "published_at"]
    list_filter = ["kind", "is_public"]
    search_fields = ["title", "body"]
