"""Form plumbing shared by the apps: the URL field default, dates within the portal's years, multiple choices whose
ids are checked before they reach the database, several checked files at once, and the year and the search words of
a query string."""

import django_filters
from django import forms
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from .uploads import UploadRefused, check_upload


YEAR_MIN, YEAR_MAX = 2000, 2100  # the years the portal's dates and lists may name


def search_param(value, *, max_length: int = 200) -> str:
    """Search words from a query string: NUL characters removed (PostgreSQL refuses them in a query: 500), spaces
    trimmed, at most ``max_length`` characters."""
    return (value or "").replace("\x00", "").strip()[:max_length]


def year_param(value) -> int | None:
    """A year from a query string: four ASCII digits within YEAR_MIN..YEAR_MAX, else None (``²``, ``٣``, ``-1``,
    ``2024.0`` and 10**30 included: ``str.isdigit`` alone lets through digits ``int`` refuses)."""
    value = (value or "").strip()
    if len(value) != 4 or not (value.isascii() and value.isdigit()):
        return None
    year = int(value)
    return year if YEAR_MIN <= year <= YEAR_MAX else None


def id_param(value) -> int | None:
    """A row id from a query string: ASCII digits within 1..2**31-1 (every table's ids fit), else None (``²`` made
    ``int()`` raise after ``str.isdigit``; 2**63 overflowed the database's integer)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= 2**31 - 1 else None


class IdsInRange:
    """Mixin for multiple-choice fields of rows: every id must be ASCII digits within the database's integer range,
    else "select a valid choice" (Django's own message, translated) — an id past 2**63 used to reach the database and
    answer 500 (``OverflowError`` on SQLite, out of range on PostgreSQL)."""

    def _check_values(self, value):
        if isinstance(value, (list, tuple, set, frozenset)) and (self.to_field_name or "pk") == "pk":
            low, high = connection.ops.integer_field_ranges.get(
                self.queryset.model._meta.pk.get_internal_type(), (None, None))
            for item in value:
                text = str(item).strip()
                if high is not None and not (text.isascii() and text.isdigit() and low <= int(text) <= high):
                    raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                                params={"value": text[:40]})
        return super()._check_values(value)


class ModelMultipleChoiceField(IdsInRange, forms.ModelMultipleChoiceField):
    """Django's field with ids checked before they reach the database (``IdsInRange``)."""


class ModelMultipleChoiceFilterField(IdsInRange, django_filters.fields.ModelMultipleChoiceField):
    pass


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = ModelMultipleChoiceFilterField


class FilterSet(django_filters.FilterSet):
    """The apps' filter sets: many-to-many filters check their ids like the forms do."""

    FILTER_DEFAULTS = {
        **django_filters.filterset.FILTER_FOR_DBFIELD_DEFAULTS,
        models.ManyToManyField: {**django_filters.filterset.FILTER_FOR_DBFIELD_DEFAULTS[models.ManyToManyField],
                                 "filter_class": ModelMultipleChoiceFilter},
    }


def formfield(model_field, **kwargs):
    """ModelForm ``formfield_callback``: links typed without a scheme are taken as https (Django 6's default);
    many-to-many fields check their ids (``IdsInRange``); dates lie within the portal's years (``DateField``)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    if isinstance(model_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    if isinstance(model_field, models.DateField) and not isinstance(model_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateField)
    return model_field.formfield(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateField(forms.DateField):
    """A date of the portal's work: within ``min_year``..``max_year`` (2000..2100 unless told), else a Chinese
    message — year 1 or 9999 is a typo, and 9999-12-31 breaks any "the day after" sum."""

    def __init__(self, *, min_year: int = YEAR_MIN, max_year: int = YEAR_MAX, **kwargs):
        self.min_year, self.max_year = min_year, max_year
        kwargs.setdefault("widget", DateInput())
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("min", "{:04d}-01-01".format(min_year))
        self.widget.attrs.setdefault("max", "{:04d}-12-31".format(max_year))

    def validate(self, value):
        super().validate(value)
        if value and not self.min_year <= value.year <= self.max_year:
            raise forms.ValidationError(
                _("Enter a date between the years {} and {}.").format(self.min_year, self.max_year), code="year_range")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (at most ``max_files``); each is checked by content (``sanlian.uploads``)."""

    max_files = 20

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > self.max_files:
            raise forms.ValidationError(_("At most {} files at a time.").format(self.max_files))
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in files]
        errors = []
        for upload in cleaned:
            try:
                check_upload(upload)
            except UploadRefused as refused:
                errors.append(str(refused))
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class SearchableSelectMultiple(forms.SelectMultiple):
    """A long multiple choice (experts, upper units, partners …) with a filter box above it. The box is added by
    ``static/js/multiselect.js`` (loaded on every page, CSP-clean) on any element of class ``js-multiselect``;
    without the script the plain list still works."""

    def __init__(self, attrs=None, choices=()):
        attrs = {"size": 8, **(attrs or {})}
        attrs["class"] = " ".join(filter(None, [attrs.get("class", ""), "js-multiselect"]))
        attrs.setdefault("data-filter-label", _("Type to filter the list"))
        super().__init__(attrs, choices)


class SearchableCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """A list of check boxes (each box beside its name, ``app.css``) with the same filter box as
    ``SearchableSelectMultiple``; without JavaScript a plain list of check boxes."""

    def __init__(self, attrs=None, choices=()):
        attrs = dict(attrs or {})
        attrs["class"] = " ".join(filter(None, [attrs.get("class", ""), "js-multiselect"]))
        attrs.setdefault("data-filter-label", _("Type to filter the list"))
        super().__init__(attrs, choices)
