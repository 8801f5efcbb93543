"""Forms of the need pages (phone-friendly: one column, native date and phone inputs)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Project
from sanlian.access import SYSTEM
from sanlian.forms import DateInput, SearchableCheckboxSelectMultiple, SearchableSelectMultiple
from societies.access import district_of, is_secretariat
from societies.models import District, Expert, Industry, Society, UpperUnit

from .models import Need

SATISFACTION = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]


class NeedForm(forms.ModelForm):
    partner_name = forms.CharField(label=_("Enterprise"), max_length=200,
                                   help_text=_("A new enterprise is added to the partners."))
    # Any district of the city may be picked (a society collects needs anywhere): offered by id and name only, so
    # no District row outside the user's scope reaches the page.
    district = forms.TypedChoiceField(label=_("District"), coerce=int)

    class Meta:
        model = Need
        fields = ["partner_name", "district", "industry", "kind", "title", "description", "contact_name",
                  "contact_phone", "urgency", "collected_on", "project", "collected_by_district",
                  "collected_by_society"]
        widgets = {"collected_on": DateInput(), "description": forms.Textarea(attrs={"rows": 4}),
                   "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Districts are picked from the whole city (a society collects anywhere); names are not confidential.
        self.fields["district"].choices = [("", "---------")] + list(
            District.objects.for_user(SYSTEM).values_list("pk", "name"))
        self.fields["industry"].queryset = Industry.objects.for_user(user).filter(is_active=True)
        self.fields["project"].queryset = Project.objects.for_user(user).order_by("-year", "position")
        if self.instance.pk:
            self.fields["partner_name"].initial = self.instance.partner.name
        else:
            self.fields["collected_on"].initial = timezone.localdate()
            if (own := district_of(user)) is not None:
                self.fields["district"].initial = own.pk
        if self.instance.pk:
            self.initial["district"] = self.instance.district_id
        if is_secretariat(user):
            self.fields["collected_by_district"].queryset = District.objects.for_user(user)
            self.fields["collected_by_society"].queryset = Society.objects.for_user(user)
        else:
            del self.fields["collected_by_district"], self.fields["collected_by_society"]


    def clean_district(self) -> District:
        return District.objects.for_user(SYSTEM).get(pk=self.cleaned_data["district"])


class AssignForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(label=_("Experts"), queryset=Expert.objects.none(), required=False,
                                             widget=SearchableSelectMultiple)
    upper_units = forms.ModelMultipleChoiceField(label=_("Upper-level units"), queryset=UpperUnit.objects.none(),
                                                 required=False, widget=SearchableSelectMultiple)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = Expert.objects.for_user(user)
        self.fields["upper_units"].queryset = UpperUnit.objects.for_user(user)

    def clean(self):
        data = super().clean()
        if not data.get("experts") and not data.get("upper_units"):
            raise forms.ValidationError(_("Choose at least one expert or unit."))
        return data


class VisitForm(forms.Form):
    held_on = forms.DateField(label=_("Date held"), widget=DateInput())
    experts = forms.ModelMultipleChoiceField(label=_("Experts"), queryset=Expert.objects.none(), required=False,
                                             widget=SearchableCheckboxSelectMultiple)
    person_times = forms.IntegerField(label=_("Experts involved (person-times)"), min_value=0, max_value=10000,
                                      required=False, help_text=_("Default: the number of experts ticked."))
    notes = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, user, need: Need, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        self.fields["experts"].queryset = Expert.objects.for_user(user).filter(need_matches__need=need)


class CloseForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=[("solved", _("Solved")), ("unsolved", _("Not solved"))])
    reason = forms.CharField(label=_("Reason not solved"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    satisfaction = forms.TypedChoiceField(label=_("Enterprise satisfaction (1–5)"), choices=SATISFACTION,
                                          coerce=int, empty_value=None, required=False)
    comment = forms.CharField(label=_("Enterprise feedback"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class NeedUploadForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))
    what = forms.ChoiceField(label=_("The workbook holds"),
                             choices=[("needs", _("technology needs (需求征集表)")),
                                      ("experts", _("experts (专家库)"))])
