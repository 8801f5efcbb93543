"""The project list's filters, shared by the list page and its Excel export (always on an access-scoped queryset)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from societies.models import District, Society

from .choices import ProjectStatus
from .models import Project


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=forms.TextInput(attrs={"placeholder": _("title, society, unit, contact")}))
    year = django_filters.NumberFilter(label=_("Year"))
    society = django_filters.ModelChoiceFilter(label=_("Lead society"), queryset=Society.objects.order_by("name"))
    district = django_filters.ModelChoiceFilter(label=_("District association"), field_name="district_links__district",
                                                queryset=District.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="only_overdue",
                                           widget=forms.CheckboxInput)

    class Meta:
        model = Project
        fields = ["q", "year", "society", "district", "status", "overdue"]

    def search(self, queryset, name, value):
        words = value.split()
        for word in words[:5]:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(society__name__icontains=word) | Q(contact__icontains=word)
                | Q(remarks__icontains=word) | Q(district_links__district__name__icontains=word)
                | Q(upper_unit_links__upper_unit__name__icontains=word) | Q(partner_links__partner__name__icontains=word)
            )
        return queryset

    def only_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset

    @property
    def qs(self):
        # Joins through the links may repeat a project; the ids keep it one row without DISTINCT on every column.
        filtered = super().qs
        if self.is_bound and any(self.form.cleaned_data.get(key) for key in ("q", "district")):
            return self.queryset.filter(pk__in=filtered.values("pk"))
        return filtered
