from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from sanlian.admin import DateRangeFilter, ScopedAdminMixin, SuperuserOnlyMixin

from .access import can_change, can_manage
from .models import (
    ActivityOutcome,
    Attachment,
    CalendarFeed,
    Notification,
    ProgressUpdate,
    Project,
    ProjectDistrict,
    ProjectPartner,
    ProjectUpperUnit,
    ReminderLedger,
    ReminderPolicy,
    ReminderRun,
    TaskForce,
    WebhookDelivery,
)
from .notifications import retry_webhooks
from .reminders import update_reminder_policy


class DistrictLinkInline(admin.TabularInline):
    model = ProjectDistrict
    extra = 0
    autocomplete_fields = ["district"]


class UpperUnitLinkInline(admin.TabularInline):
    model = ProjectUpperUnit
    extra = 0
    autocomplete_fields = ["upper_unit"]


class PartnerLinkInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["partner"]


@admin.register(Project)
class ProjectAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "year", "society", "due_text", "due_end", "contact", "status"]
    list_filter = ["year", "status", "society", ("due_end", DateRangeFilter)]
    list_select_related = ["society"]
    search_fields = ["title", "society__name", "contact"]
    autocomplete_fields = ["society", "contacts"]
    inlines = [DistrictLinkInline, UpperUnitLinkInline, PartnerLinkInline]
    readonly_fields = ["due_start", "due_end"]
    change_list_template = "admin/projects/project/change_list.html"

    def changelist_view(self, request, extra_context=None):
        # The import itself is the portal's page (same parser, service and secretariat-only check).
        extra_context = {"can_import_annex": can_manage(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_change(request.user, obj))


@admin.register(TaskForce)
class TaskForceAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["project", "leader"]
    list_select_related = ["project"]
    search_fields = ["project__title"]
    autocomplete_fields = ["project"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["project", "happened_on", "author", "created_at"]
    list_filter = [("happened_on", DateRangeFilter), ("created_at", DateRangeFilter)]
    list_select_related = ["project", "author"]
    search_fields = ["project__title", "text"]
    autocomplete_fields = ["project"]


@admin.register(Attachment)
class AttachmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "project", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["project", "uploaded_by"]
    search_fields = ["original_name", "project__title"]
    readonly_fields = ["file", "original_name", "content_type", "size", "uploaded_by"]


# --- reminders ----------------------------------------------------------------------------------------------------


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """One policy row; saving it moves the django-celery-beat schedule (daily send time, Beijing time)."""

    list_display = ["__str__", "enabled", "days_before", "escalate_after_days", "red_after_days", "no_update_days",
                    "send_time", "updated_at"]
    fieldsets = [
        (None, {"fields": ["enabled", "send_time", "digest_weekday"]}),
        (_("Before and on the due date"), {"fields": ["days_before", "remind_due_day"]}),
        (_("Overdue and escalation"), {"fields": ["remind_overdue", "escalate_after_days", "red_after_days"]}),
        (_("Projects in progress"), {"fields": ["no_update_days"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReminderPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        update_reminder_policy(policy=obj)


@admin.register(Notification)
class NotificationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "recipient", "email", "kind", "level", "created_at", "read_at", "email_state"]
    list_filter = ["kind", "level", "email_state", "created_at"]
    list_select_related = ["recipient"]
    search_fields = ["title", "body", "email", "recipient__username"]
    autocomplete_fields = ["recipient"]
    readonly_fields = ["email_attempts", "email_sent_at", "email_error"]
    date_hierarchy = "created_at"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["society", "state", "attempts", "next_attempt_at", "created_at", "sent_at"]
    list_filter = ["state", "created_at"]
    list_select_related = ["society"]
    search_fields = ["society__name", "text", "last_error"]
    autocomplete_fields = ["society"]
    readonly_fields = ["attempts", "last_error", "sent_at"]
    actions = ["retry_now"]

    @admin.action(description=_("Retry the selected deliveries now"))
    def retry_now(self, request, queryset):
        count = retry_webhooks(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("{count} deliveries queued again.").format(count=count))


@admin.register(ReminderLedger)
class ReminderLedgerAdmin(SuperuserOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["subject_type", "subject_id", "kind", "step", "target_date", "recipient_key", "created_at"]
    list_filter = ["kind", "subject_type", "target_date"]
    list_select_related = ["notification"]
    search_fields = ["recipient_key", "=subject_id"]
    readonly_fields = [f.name for f in ReminderLedger._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderRun)
class ReminderRunAdmin(SuperuserOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "runs", "first_run_at", "last_run_at"]
    readonly_fields = ["date", "runs", "first_run_at", "last_run_at", "counts"]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(SuperuserOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ActivityOutcome)
class ActivityOutcomeAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["held_on", "title", "project", "kind", "participants", "expert_person_times", "served_count",
                    "review"]
    list_filter = ["kind", "review", "industries", ("held_on", DateRangeFilter)]
    list_select_related = ["project"]
    search_fields = ["title", "project__title", "place"]
    autocomplete_fields = ["upper_units", "experts"]
    raw_id_fields = ["project"]
    filter_horizontal = ["industries"]
    date_hierarchy = "held_on"
