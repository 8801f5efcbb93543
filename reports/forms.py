"""Forms of the records and dashboard pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Project
from sanlian.forms import formfield
from societies.access import district_of, is_secretariat, society_of
from societies.models import District, Society

from .models import OrganisationRecord, TargetDefinition
from .access import can_record
from .targets import RULES


class RecordForm(forms.ModelForm):
    """An organisation record; a society or district contact records for their own unit only."""

    class Meta:
        model = OrganisationRecord
        fields = ["kind", "happened_on", "title", "society", "district", "project", "count", "issuing_body",
                  "document", "note"]
        widgets = {"happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "note": forms.Textarea(attrs={"rows": 3}),
                   "count": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0})}
        formfield_callback = formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["project"].queryset = Project.objects.for_user(user).order_by("-year", "position")
        self.fields["society"].queryset = Society.objects.for_user(user)
        self.fields["district"].queryset = District.objects.for_user(user)
        if not is_secretariat(user):
            own_society, own_district = society_of(user), district_of(user)
            self.initial.setdefault("society", own_society.pk if own_society else None)
            self.initial.setdefault("district", own_district.pk if own_district else None)

    def clean(self):
        data = super().clean()
        if not self.errors and not can_record(self.user, society=data.get("society"), district=data.get("district")):
            raise forms.ValidationError(_("You may record only for your own society or district association."))
        return data


class TargetDefinitionForm(forms.ModelForm):
    """The admin's target form: the counting rule is chosen from the rules implemented in code."""

    rule = forms.ChoiceField(label=_("counting rule"))

    class Meta:
        model = TargetDefinition
        fields = "__all__"
        formfield_callback = formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [(code, "{} · {}".format(code, rule.label)) for code, rule in RULES.items()]
