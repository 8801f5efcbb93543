"""The 需求台账's filters, shared by the page and its Excel export (always on an access-scoped queryset)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanlian.forms import YEAR_MAX, YEAR_MIN
from societies.models import District, Industry

from .choices import NeedStatus
from .models import Need


class NeedFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search",
                                  widget=forms.TextInput(attrs={"placeholder": _("need, enterprise, description")}))
    # a year of the portal's (2000..2100): -1 or 2**63 broke the year lookup (500); another value is ignored
    year = django_filters.NumberFilter(label=_("Year"), field_name="collected_on", lookup_expr="year",
                                       min_value=YEAR_MIN, max_value=YEAR_MAX)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=NeedStatus.choices)
    industry = django_filters.ModelChoiceFilter(label=_("“6+3” industry"), queryset=Industry.objects.all())
    district = django_filters.ModelChoiceFilter(label=_("District"), queryset=District.objects.all())

    class Meta:
        model = Need
        fields = ["q", "year", "status", "industry", "district"]

    def search(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(partner__name__icontains=word)
                                       | Q(description__icontains=word))
        return queryset
