"""Forms of the meeting and bulletin pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sanlian.forms import DateField, MultipleFileField
from societies.models import District, Society

from .choices import Attendance, BulletinKind, DecisionStatus, MeetingStatus
from .models import validate_half


class MeetingForm(forms.Form):
    half = forms.CharField(label=_("half year"), max_length=6, validators=[validate_half],
                           help_text=_("For example 2024H1 or 2024H2."))
    held_on = DateField(label=_("Date"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    chair = forms.CharField(label=_("Chair"), max_length=100, required=False)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("One item per line; the follow-up of the last meeting's decisions is added "
                                         "first."))

    def clean(self):
        data = super().clean()
        half, day = data.get("half"), data.get("held_on")
        if half and day and (str(day.year) != half[:4] or (day.month <= 6) != half.endswith("1")):
            self.add_error("held_on", _("The date is not in the half year {}.").format(half))
        return data


class AnswerForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=[
        (Attendance.CONFIRMED, Attendance.CONFIRMED.label), (Attendance.DECLINED, Attendance.DECLINED.label),
        (Attendance.DELEGATED, Attendance.DELEGATED.label)])
    attendee = forms.CharField(label=_("Who comes"), max_length=200, required=False)


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)
    attendee = forms.CharField(label=_("Who came"), max_length=200, required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    society = forms.ModelChoiceField(Society.objects.order_by("name"), label=_("Owner society"), required=False)
    district = forms.ModelChoiceField(District.objects.all(), label=_("Owner district association"), required=False)
    deadline = DateField(label=_("Deadline"), required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("society")) == bool(data.get("district")):
            raise forms.ValidationError(_("Choose one owner: a society or a district association."))
        return data


class DecisionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DecisionStatus.choices)
    follow_up = forms.CharField(label=_("Follow-up"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))


class MinutesForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MeetingStatus.choices)
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=_("Formatted text (HTML) is kept; scripts are removed."))
    files = MultipleFileField(label=_("Files"), required=False)


class DocumentForm(forms.Form):
    files = MultipleFileField(label=_("Our report for the meeting"))


class BulletinForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BulletinKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("Formatted text (HTML) is kept; scripts are removed."))
    is_public = forms.BooleanField(label=_("Public (readable without logging in)"), required=False)
    files = MultipleFileField(label=_("Files"), required=False)
