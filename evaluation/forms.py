from django import forms
from django.utils.translation import gettext_lazy as _

from societies.models import Contact, District, Expert, Society

from .choices import NomineeKind
from .models import Indicator, Nomination, Round


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = ["name", "year", "half", "evaluated", "excellent_min", "good_min", "fair_min"]

    def clean(self):
        data = super().clean()
        grades = [data.get(name) for name in ("excellent_min", "good_min", "fair_min")]
        if None not in grades and not grades[0] > grades[1] > grades[2]:
            raise forms.ValidationError(_("The grade thresholds must descend: excellent above good above fair."))
        return data


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "weight", "normalisation", "threshold"]


IndicatorFormSet = forms.modelformset_factory(Indicator, form=IndicatorForm, extra=0)


class MarkForm(forms.Form):
    unit = forms.CharField(label=_("unit"), max_length=20)
    # both checked by ``scoring.set_mark`` (its messages name the mark's range and the comment)
    points = forms.DecimalField(label=_("points"), required=False, max_digits=5, decimal_places=2)
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NominationForm(forms.ModelForm):
    class Meta:
        model = Nomination
        fields = ["year", "nominee_kind", "society", "district", "person_name", "contact", "expert", "reasons",
                  "evidence"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["society"].queryset = Society.objects.for_user(user)
        self.fields["district"].queryset = District.objects.for_user(user)
        self.fields["contact"].queryset = Contact.objects.for_user(user)
        self.fields["expert"].queryset = Expert.objects.for_user(user)

    def clean(self):
        data = super().clean()
        if data.get("society") and data.get("district"):
            raise forms.ValidationError(_("Name a society or a district association, not both."))
        if data.get("nominee_kind") == NomineeKind.UNIT and not (data.get("society") or data.get("district")):
            raise forms.ValidationError(_("A unit nomination names a society or a district association."))
        if data.get("nominee_kind") == NomineeKind.PERSON and not (
                data.get("person_name") or data.get("contact") or data.get("expert")):
            raise forms.ValidationError(_("An individual nomination names the person."))
        if not data.get("person_name") and (data.get("contact") or data.get("expert")):
            data["person_name"] = (data.get("contact") or data.get("expert")).name
        return data

