from django.contrib import admin
from django.contrib.admin.options import FORMFIELD_FOR_DBFIELD_DEFAULTS
from django.db import models
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from simple_history.admin import SimpleHistoryAdmin

from .models import Contact, District, Expert, Industry, Partner, Profile, Society, UpperUnit

# Links typed without a scheme are https in every back-office form (Django 6's default, opted into now).
FORMFIELD_FOR_DBFIELD_DEFAULTS[models.URLField] = {**FORMFIELD_FOR_DBFIELD_DEFAULTS[models.URLField],
                                                   "assume_scheme": "https"}


class OrganisationAdmin(SimpleHistoryAdmin):
    search_fields = ["name"]
    list_display = ["name", "created_at"]


@admin.register(Society)
class SocietyAdmin(OrganisationAdmin):
    list_display = ["name", "chair", "contact_name", "contact_phone", "member_count", "founded_on", "is_active"]
    list_filter = ["is_active"]


@admin.register(District)
class DistrictAdmin(OrganisationAdmin):
    list_display = ["name", "is_city", "order"]


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
    autocomplete_fields = ["society"]
    filter_horizontal = ["industries"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["society", "district"]


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [ProfileInline]
