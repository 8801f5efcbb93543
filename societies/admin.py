from django.contrib import admin
from django.contrib.admin.options import FORMFIELD_FOR_DBFIELD_DEFAULTS
from django.db import models
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Contact, District, Expert, Industry, Partner, Profile, Society, UpperUnit

# Links typed without a scheme are https in every back-office form (Django 6's default, opted into now).
FORMFIELD_FOR_DBFIELD_DEFAULTS[models.URLField] = {**FORMFIELD_FOR_DBFIELD_DEFAULTS[models.URLField],
                                                   "assume_scheme": "https"}


class OrganisationAdmin(SimpleHistoryAdmin):
    search_fields = ["name", "remarks"]
    list_display = ["name", "created_at"]


@admin.register(Society)
class SocietyAdmin(OrganisationAdmin):
    list_display = ["name", "chair", "contact_name", "contact_phone", "member_count", "founded_on", "is_active"]
    list_filter = ["is_active"]


@admin.register(District)
class DistrictAdmin(OrganisationAdmin):
    list_display = ["name", "is_city", "order"]
    list_filter = ["is_city"]


@admin.register(UpperUnit)
class UpperUnitAdmin(OrganisationAdmin):
    list_display = ["name", "level"]
    list_filter = ["level"]


@admin.register(Partner)
class PartnerAdmin(OrganisationAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "phone", "email", "society", "district", "user"]
    list_filter = ["society", "district"]
    list_select_related = ["society", "district", "user"]
    search_fields = ["name", "phone", "email"]
    autocomplete_fields = ["society", "district", "user"]


@admin.register(Expert)
class ExpertAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "title", "field", "society"]
    list_filter = ["industries", "society"]
    list_select_related = ["society"]
    search_fields = ["name", "organisation", "field"]
    autocomplete_fields = ["society", "industries"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["society", "district"]
    verbose_name_plural = _("profile (society or district)")


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "email", "profile_unit", "is_active", "is_staff", "last_login"]
    list_filter = ["groups", "is_active", "is_staff", "profile__society", "profile__district"]
    list_select_related = ["profile__society", "profile__district"]
    search_fields = ["username", "first_name", "last_name", "email", "profile__society__name",
                     "profile__district__name"]

    @admin.display(description=_("society or district"))
    def profile_unit(self, user):
        profile = getattr(user, "profile", None)
        unit = profile and (profile.society or profile.district)
        return unit or "—"


# --- back office in Chinese ----------------------------------------------------------------------------------------
admin.site.site_header = _("Sanlian Sancu back office")
admin.site.site_title = _("Sanlian Sancu back office")
admin.site.index_title = _("Keep the organisations, projects and accounts")
