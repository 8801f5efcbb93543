"""The own-activity form (phone-friendly: dates as date inputs, numbers as numeric inputs) and the list filters."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.choices import OutcomeKind, ReviewStatus
from sanlian.forms import (DateInput, MultipleFileField, SearchableCheckboxSelectMultiple, SearchableSelectMultiple,
                           formfield)
from sanlian.workbook import WorkbookRefused
from societies.models import District, Expert, Industry, Partner, Society, UpperUnit

from .access import own_unit
from .campaign_import import Parsed, read_lines
from .models import Campaign, CampaignLine, Measure, OwnActivity, Programme, RosterMember, Venue, VenueKind

NUMERIC = {"inputmode": "numeric", "min": 0}


def not_in_future(day):
    """``day`` (or None), refused when it lies after today."""
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return day


class OwnDistrictForm(forms.ModelForm):
    """A record that belongs to a district association: a district contact keeps their own (the field is left out
    and set on save); the secretariat picks among the districts (the city level left out)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit = own_unit(user)
        self.own_district = unit["district"] if unit else None
        if self.own_district is not None:
            del self.fields["district"]
        else:
            self.fields["district"].queryset = District.objects.for_user(user).filter(is_city=False)

    def save(self, commit: bool = True):
        instance = super().save(commit=False)
        if self.own_district is not None:
            instance.district = self.own_district
        return instance


class OwnActivityForm(forms.ModelForm):
    """An own activity; the secretariat picks the unit, a contact records for their own unit."""

    files = MultipleFileField(label=_("Evidence (photos and files)"), required=False,
                              help_text=_("Photos, PDF, Word or Excel files."))

    class Meta:
        model = OwnActivity
        fields = ["title", "kind", "held_on", "ended_on", "place", "town", "district", "society",
                  "linked_societies", "other_organisers", "upper_units", "partners", "participants", "expert_person_times", "experts",
                  "industries", "served_count", "served_names", "venue", "measures", "news_link", "description"]
        widgets = {"held_on": DateInput(), "ended_on": DateInput(), "industries": SearchableCheckboxSelectMultiple,
                   "measures": forms.CheckboxSelectMultiple,
                   "linked_societies": SearchableSelectMultiple, "upper_units": SearchableSelectMultiple,
                   "partners": SearchableSelectMultiple, "experts": SearchableSelectMultiple,
                   "served_names": forms.Textarea(attrs={"rows": 2}), "description": forms.Textarea(attrs={"rows": 3}),
                   "participants": forms.NumberInput(attrs=NUMERIC),
                   "expert_person_times": forms.NumberInput(attrs=NUMERIC),
                   "served_count": forms.NumberInput(attrs=NUMERIC)}
        # the enterprises named here are the ones the activity served: each counts once toward T3-served
        # (``reports.targets``, with the enterprises of visited technology needs); ``served_count`` is a note only
        help_texts = {"partners": _("The S&T enterprises and key projects the activity served or linked with; each "
                                    "counts once toward the enterprises served.")}
        formfield_callback = formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = own_unit(user)
        if self.unit is not None:
            del self.fields["district"], self.fields["society"]
        else:
            self.fields["district"].queryset = District.objects.for_user(user).filter(is_city=False)
            self.fields["society"].queryset = Society.objects.for_user(user)
        if self.unit is not None:
            # a contact's scope holds no other society: they name co-organising societies in ``other_organisers``
            # and the secretariat links them when it confirms the activity
            del self.fields["linked_societies"]
        else:
            self.fields["linked_societies"].queryset = Society.objects.for_user(user).filter(is_active=True)
        self.fields["upper_units"].queryset = UpperUnit.objects.for_user(user)
        self.fields["partners"].queryset = Partner.objects.for_user(user)
        self.fields["experts"].queryset = Expert.objects.for_user(user)
        self.fields["industries"].queryset = Industry.objects.for_user(user).filter(is_active=True)
        venues = Venue.objects.for_user(user).select_related("kind")
        if self.unit is not None and self.unit["district"] is not None:
            venues = venues.filter(Q(district=self.unit["district"]) | Q(district__isnull=True))
        self.fields["venue"].queryset = venues
        self.fields["measures"].queryset = Measure.objects.for_user(user).filter(is_active=True)

    def clean_held_on(self):
        return not_in_future(self.cleaned_data["held_on"])

    def clean(self):
        data = super().clean()
        start, end = data.get("held_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("The last day cannot be before the first day."))
        if self.unit is None and not self.errors:
            if bool(data.get("district")) == bool(data.get("society")):
                raise forms.ValidationError(_("Choose either a district association or a society."))
        return data

    def save(self, commit: bool = True):
        activity = super().save(commit=False)
        if self.unit is not None and activity.pk is None:
            activity.district, activity.society = self.unit["district"], self.unit["society"]
        return activity

    def links(self) -> dict:
        return {name: self.cleaned_data[name] for name in
                ("linked_societies", "upper_units", "partners", "experts", "industries", "measures")
                if name in self.fields}


class ActivityFilterForm(forms.Form):
    """The list's filters; unknown values are ignored rather than refused (a filter never errors)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + OutcomeKind.choices)
    review = forms.ChoiceField(label=_("Confirmation"), required=False,
                               choices=[("", _("All"))] + ReviewStatus.choices)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    district = forms.ModelChoiceField(label=_("District association"), required=False, queryset=District.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.for_user(user).filter(is_city=False)

    def apply(self, activities):
        if not self.is_valid():
            return activities
        data = self.cleaned_data
        if data["q"]:
            activities = activities.filter(title__icontains=data["q"])
        if data["kind"]:
            activities = activities.filter(kind=data["kind"])
        if data["review"]:
            activities = activities.filter(review=data["review"])
        if data["year"]:
            activities = activities.filter(held_on__year=data["year"])
        if data["district"]:
            activities = activities.filter(district=data["district"])
        return activities


class CampaignForm(OwnDistrictForm):
    """A campaign in one form: period, scope and reach; per-town lines below or from a workbook (then the totals are
    their sums). A workbook's lines replace the typed ones; a bad workbook refuses the whole form."""

    lines_file = forms.FileField(
        label=_("Per-town lines from Excel (optional)"), required=False,
        help_text=_("One row per town or street; columns 镇街, 场次, 参与人次, and optionally 学校数 and 宣传品/文章. "
                    "The file's lines replace the lines in the table below."))

    class Meta:
        model = Campaign
        fields = ["title", "district", "starts_on", "ends_on", "scope", "sessions", "participants", "towns",
                  "schools", "publicity", "measures", "note"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3}),
                   "measures": forms.CheckboxSelectMultiple,
                   **{name: forms.NumberInput(attrs=NUMERIC) for name in
                      ("sessions", "participants", "towns", "schools", "publicity")}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["measures"].queryset = Measure.objects.for_user(user).filter(is_active=True)
        self.file_lines: Parsed | None = None

    def clean_lines_file(self):
        upload = self.cleaned_data.get("lines_file")
        if upload:
            try:
                self.file_lines = read_lines(upload)
            except WorkbookRefused as refused:
                raise forms.ValidationError([str(issue) for issue in refused.issues]) from None
        return upload

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        return data



class CampaignLineForm(forms.ModelForm):
    class Meta:
        model = CampaignLine
        fields = ["town", "sessions", "participants", "schools", "publicity"]
        widgets = {name: forms.NumberInput(attrs=NUMERIC) for name in
                   ("sessions", "participants", "schools", "publicity")}


class BaseLineFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django offers every line of every campaign as the hidden id's choices: only this campaign's lines
        form.fields["id"].queryset = self.get_queryset()

    def clean(self):
        towns = [form.cleaned_data["town"] for form in self.forms
                 if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("town")]
        if len(towns) != len(set(towns)):
            raise forms.ValidationError(_("Each town or street may appear once."))
        super().clean()

    def lines(self) -> list[dict]:
        return [{name: form.cleaned_data.get(name) for name in ("town", "sessions", "participants", "schools",
                                                               "publicity")}
                for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("town")]


CampaignLineFormSet = forms.inlineformset_factory(
    Campaign, CampaignLine, form=CampaignLineForm, formset=BaseLineFormSet, extra=3, can_delete=True, max_num=60,
    validate_max=True)


class VenueForm(OwnDistrictForm):
    """A base or venue; a district contact keeps their own district's."""

    class Meta:
        model = Venue
        fields = ["name", "kind", "host", "district", "founded_on", "status", "contact_name", "contact_phone", "note"]
        widgets = {"founded_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3}),
                   "contact_phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["kind"].queryset = VenueKind.objects.for_user(user).filter(is_active=True)

    def clean_founded_on(self):
        return not_in_future(self.cleaned_data["founded_on"])


class CampaignUploadForm(forms.Form):
    """A workbook with one row per town or street (columns 镇街, 场次, 参与人次, 学校数, 宣传品/文章)."""

    file = forms.FileField(label=_("Workbook (.xlsx)"),
                           help_text=_("One row per town or street; columns 镇街, 场次, 参与人次, and optionally 学校数 "
                                       "and 宣传品/文章. Title rows above the header are allowed."))


class RosterMemberForm(OwnDistrictForm):
    """A person on a programme's roster; a district contact keeps their own district's (the district is theirs)."""

    class Meta:
        model = RosterMember
        fields = ["programme", "name", "unit", "district", "certified_on", "trainings", "training_note", "phone",
                  "note"]
        widgets = {"certified_on": DateInput(), "trainings": forms.NumberInput(attrs=NUMERIC),
                   "phone": forms.TextInput(attrs={"inputmode": "tel"}), "note": forms.Textarea(attrs={"rows": 2})}
        formfield_callback = formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["programme"].queryset = Programme.objects.for_user(user).filter(
            Q(is_active=True) | Q(pk=self.instance.programme_id))

    def clean_certified_on(self):
        return not_in_future(self.cleaned_data["certified_on"])


class RosterFilterForm(forms.Form):
    """The roster list's filters; unknown values are ignored rather than refused."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    programme = forms.ModelChoiceField(label=_("Programme"), required=False, queryset=Programme.objects.none())
    district = forms.ModelChoiceField(label=_("District association"), required=False, queryset=District.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.for_user(user)
        self.fields["district"].queryset = District.objects.for_user(user).filter(is_city=False)

    def apply(self, members):
        if not self.is_valid():
            return members
        data = self.cleaned_data
        if data["q"]:
            members = members.filter(Q(name__icontains=data["q"]) | Q(unit__icontains=data["q"]))
        if data["programme"]:
            members = members.filter(programme=data["programme"])
        if data["district"]:
            members = members.filter(district=data["district"])
        return members
