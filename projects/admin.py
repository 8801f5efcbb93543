from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .access import can_change, can_manage
from .models import Attachment, ProgressUpdate, Project, ProjectDistrict, ProjectPartner, ProjectUpperUnit, TaskForce


class ScopedAdminMixin:
    """Back-office lists pass the same access entry point as the portal's pages."""

    project_path = "project"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.project_path is None:
            return queryset.filter(pk__in=Project.objects.for_user(request.user).values("pk"))
        return queryset.filter(**{"{}__in".format(self.project_path): Project.objects.for_user(request.user)})


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
    project_path = None
    list_display = ["title", "year", "society", "due_text", "due_end", "contact", "status"]
    list_filter = ["year", "status", "society"]
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
    list_select_related = ["project", "author"]
    search_fields = ["project__title", "text"]
    autocomplete_fields = ["project"]


@admin.register(Attachment)
class AttachmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "project", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["project", "uploaded_by"]
    search_fields = ["original_name", "project__title"]
    readonly_fields = ["file", "original_name", "content_type", "size", "uploaded_by"]
