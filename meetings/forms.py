"""Forms of the meeting and bulletin pages."""

from datetime import time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sanlian.forms import DateField, MultipleFileField
from societies.models import District, Society

from .choices import Attendance, BulletinKind, DecisionStatus, MeetingStatus
from .models import half_label


def half_choices(today=None, *, keep: str = "") -> list[tuple[str, str]]:
    """The half years a meeting may be scheduled for: two years back to two ahead, shown as "2026年上半年"
    (``keep``: a stored half year outside that range, kept as a choice when a meeting is edited)."""
    year = (today or timezone.localdate()).year
    values = ["{}H{}".format(y, part) for y in range(year - 2, year + 3) for part in (1, 2)]
    if keep and keep not in values:
        values = sorted([*values, keep])
    return [(value, half_label(value)) for value in values]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class MeetingForm(forms.Form):
    half = forms.ChoiceField(label=_("half year"), choices=())
    held_on = DateField(label=_("Date"))
    starts_at = forms.TimeField(label=_("Starts at"), widget=TimeInput(), initial=time(9, 0))
    ends_at = forms.TimeField(label=_("Ends at"), widget=TimeInput(), initial=time(11, 30))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    chair = forms.CharField(label=_("Chair"), max_length=100, required=False)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("One item per line; the follow-up of the last meeting's decisions is added "
                                         "first."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["half"].choices = half_choices()
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("half", "{}H{}".format(today.year, 1 if today.month <= 6 else 2))

    def clean(self):
        data = super().clean()
        half, day = data.get("half"), data.get("held_on")
        if half and day and (str(day.year) != half[:4] or (day.month <= 6) != half.endswith("1")):
            self.add_error("held_on", _("The date is not in the half year {}.").format(half_label(half)))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return data


class AnswerForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=[
        (Attendance.CONFIRMED, Attendance.CONFIRMED.label), (Attendance.DECLINED, Attendance.DECLINED.label),
        (Attendance.DELEGATED, Attendance.DELEGATED.label)])
    attendee = forms.CharField(label=_("Who comes"), max_length=200, required=False)


class AttendanceForm(forms.Form):
    """One row of the attendance table: the invitation (hidden), what happened and who came."""

    invitation = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)
    attendee = forms.CharField(label=_("Who came"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("attendance") == Attendance.DELEGATED and not (data.get("attendee") or "").strip():
            self.add_error("attendee", _("Name who came on the unit's behalf."))
        return data


class BaseAttendanceFormSet(forms.BaseFormSet):
    """The whole attendance table: every row an invitation of this meeting, each at most once."""

    def __init__(self, *args, invitation_ids=(), **kwargs):
        self.invitation_ids = set(invitation_ids)
        super().__init__(*args, **kwargs)

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            pk = form.cleaned_data.get("invitation")
            if pk not in self.invitation_ids or pk in seen:
                raise forms.ValidationError(_("The attendance table does not match this meeting's invitations; "
                                              "reload the page and try again."))
            seen.add(pk)


AttendanceFormSet = forms.formset_factory(AttendanceForm, formset=BaseAttendanceFormSet, extra=0, max_num=1000,
                                          validate_max=True, absolute_max=1000)


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
    title = forms.CharField(label=pgettext_lazy("bulletin", "Title"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("Type the text as it should read: line breaks are kept and a blank line "
                                       "starts a new paragraph. Formatted text (HTML) is kept too; scripts are "
                                       "removed."))
    is_public = forms.BooleanField(label=_("Public (readable without logging in)"), required=False)
    files = MultipleFileField(label=_("Files"), required=False)
