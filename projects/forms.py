"""Forms of the project pages."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanlian.forms import (YEAR_MAX, YEAR_MIN, DateField, DateInput, ModelMultipleChoiceField, MultipleFileField,
                           SearchableCheckboxSelectMultiple, SearchableSelectMultiple,
                           formfield)
from societies.models import District, Expert, Industry, Partner, Profile, Society, UpperUnit, name_key

from .choices import ProjectStatus
from .due import due_window
from .models import ActivityOutcome, Project, TaskForceMember


# --- annex list import -------------------------------------------------------------------------------------------
class AnnexUploadForm(forms.Form):
    """The workbook to import; the year only when the file does not name it, the sheet when several qualify."""

    file = forms.FileField(label=_("Workbook (.xlsx)"), required=False, allow_empty_file=True)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100,
                              help_text=_("Only needed when the workbook's title does not name the year."))
    sheet = forms.ChoiceField(label=_("Sheet"), required=False, choices=())

    def __init__(self, *args, sheets: list[str] | None = None, pending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending = pending
        if sheets:
            self.fields["sheet"].choices = [(name, name) for name in sheets]
            self.fields["sheet"].required = True
        else:
            del self.fields["sheet"]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None and not self.pending:
            self.add_error("file", _("Choose a workbook to upload."))
        if upload is not None and upload.size > settings.UPLOAD_MAX_BYTES:
            self.add_error("file", _("The file is larger than {} MB.").format(settings.UPLOAD_MAX_BYTES // 1024 // 1024))
        return data


# --- keeping projects ----------------------------------------------------------------------------------------------

class ProjectForm(forms.ModelForm):
    """A project of the list as the secretariat keeps it; the due window is derived from the due text."""

    districts = ModelMultipleChoiceField(
        District.objects.all(), label=_("District associations"), required=False, widget=forms.CheckboxSelectMultiple)
    upper_units = ModelMultipleChoiceField(
        UpperUnit.objects.all(), label=_("Upper-level units"), required=False, widget=SearchableSelectMultiple)
    partners = ModelMultipleChoiceField(
        Partner.objects.all(), label=_("Partners"), required=False, widget=SearchableSelectMultiple)

    class Meta:
        model = Project
        fields = ["year", "society", "title", "due_text", "contact", "remarks", "status"]
        widgets = {"remarks": forms.Textarea(attrs={"rows": 3}), "title": forms.TextInput(attrs={"size": 60})}
        help_texts = {"due_text": _("As in the list, e.g. 5月中旬, 6-8月, 全年, 待定.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["society"].queryset = Society.objects.for_user(user).order_by("name")
        for name, model in (("districts", District), ("upper_units", UpperUnit), ("partners", Partner)):
            self.fields[name].queryset = model.objects.for_user(user)
        self.fields["year"].widget.attrs.update(min=YEAR_MIN, max=YEAR_MAX)  # clean_year refuses the rest
        if self.instance.pk:
            self.initial.setdefault("districts", [unit.pk for unit in self.instance.district_list])
            self.initial.setdefault("upper_units", [unit.pk for unit in self.instance.upper_unit_list])
            self.initial.setdefault("partners", [unit.pk for unit in self.instance.partner_list])

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise forms.ValidationError(_("Enter a year between 2000 and 2100."))
        return year

    def clean(self):
        data = super().clean()
        year, society, title = data.get("year"), data.get("society"), data.get("title")
        window = due_window(data["due_text"], year) if year and data.get("due_text") else None
        if window and not all(YEAR_MIN <= day.year <= YEAR_MAX for day in window):
            self.add_error("due_text", _("The due time names a year outside 2000 to 2100."))
        if year and society and title:
            clash = Project.objects.filter(year=year, society=society, title_key=name_key(title))
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("title", _("This society already has a project with this title in {}.").format(year))
        return data

    def validate_unique(self):
        pass  # the clash is reported on the title field in clean()


class MessagePreferenceForm(forms.ModelForm):
    """How the daily reminder run reaches the user: one message a day, one per item, or in-app only."""

    class Meta:
        model = Profile
        fields = ["message_preference"]
        widgets = {"message_preference": forms.RadioSelect}


class UrgeForm(forms.Form):
    """催办 on one project or several (``project``: the ticked rows of a list), with an optional note."""

    note = forms.CharField(label=_("Note"), required=False, max_length=500,
                           widget=forms.TextInput(attrs={"placeholder": _("optional note to the society")}))
    project = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # any whole number is offered; which of them the user may urge is decided by the access rules
        self.fields["project"].valid_value = lambda value: str(value).isdigit() and len(str(value)) < 12


class StatusForm(forms.Form):
    """The status; choosing “Delayed” needs the reason and the new expected date (not in the past); “Cancelled”
    may give a reason (a contact's is a request to the secretariat)."""

    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices,
                               error_messages={"invalid_choice": _("Choose one of the listed statuses.")})
    delay_reason = forms.CharField(label=_("Reason for the delay"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Needed for “Delayed”."))
    delayed_to = forms.DateField(label=_("New expected date"), required=False, widget=DateInput(),
                                 help_text=_("Needed for “Delayed”."))
    cancel_reason = forms.CharField(label=_("Reason for cancelling"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("For “Cancelled”: a contact's choice waits for the secretariat's "
                                                "approval."))

    def clean(self):
        data = super().clean()
        if data.get("status") == ProjectStatus.DELAYED:
            if not (data.get("delay_reason") or "").strip() or not data.get("delayed_to"):
                raise forms.ValidationError(_("To choose “Delayed”, give the reason and the new expected date."))
            if data["delayed_to"] < timezone.localdate():
                self.add_error("delayed_to", _("The new expected date cannot be in the past."))
        return data


class ProgressUpdateForm(forms.Form):
    happened_on = DateField(label=_("Date"))
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    link = forms.URLField(label=_("News link"), required=False, assume_scheme="https")
    files = MultipleFileField(label=_("Photos and files"), required=False,
                              help_text=_("Photos, PDF, Word or Excel files."))

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class TaskForceForm(forms.Form):
    leader = forms.CharField(label=_("Task force leader"), max_length=100, required=False)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    measures = forms.CharField(label=_("Measures"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class TaskForceMemberForm(forms.ModelForm):
    class Meta:
        model = TaskForceMember
        fields = ["unit_name", "person", "duty"]


class BaseTaskForceMemberFormSet(forms.BaseFormSet):
    """Every row may stay empty: the page pre-fills a row per linked unit, and an untouched one (a unit's name, no
    person) is left out when saving instead of blocking it. A row the user filled in is checked as usual."""

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "empty_permitted": True}


TaskForceMemberFormSet = forms.formset_factory(TaskForceMemberForm, formset=BaseTaskForceMemberFormSet, extra=2,
                                               can_delete=True, max_num=50, validate_max=True)


# --- activity outcomes ------------------------------------------------------------------------------------------------
class OutcomeForm(forms.ModelForm):
    """What an activity achieved; phone-friendly: numbers as numeric inputs, lists as check boxes."""

    files = MultipleFileField(label=_("Evidence (photos and files)"), required=False,
                              help_text=_("Photos, PDF, Word or Excel files."))

    class Meta:
        model = ActivityOutcome
        fields = ["held_on", "kind", "title", "place", "participants", "expert_person_times", "experts",
                  "industries", "served_count", "served_names", "upper_units", "news_link", "description"]
        widgets = {"held_on": DateInput(), "industries": SearchableCheckboxSelectMultiple,
                   "experts": SearchableSelectMultiple, "upper_units": SearchableSelectMultiple,
                   "served_names": forms.Textarea(attrs={"rows": 2}), "description": forms.Textarea(attrs={"rows": 3}),
                   "participants": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
                   "expert_person_times": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
                   "served_count": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0})}
        formfield_callback = formfield

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industries"].queryset = Industry.objects.for_user(user).filter(is_active=True)
        self.fields["experts"].queryset = Expert.objects.for_user(user)
        self.fields["upper_units"].queryset = UpperUnit.objects.for_user(user)

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


# --- leadership's instructions (批示) -----------------------------------------------------------------------------
class InstructionForm(forms.Form):
    """A 批示: the text and an optional deadline (not in the past, within the portal's years)."""

    text = forms.CharField(label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                           error_messages={"required": _("Write the instruction first.")})
    deadline = DateField(label=_("Reply by"), required=False, help_text=_("Optional."))

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write the instruction first."))
        return text

    def clean_deadline(self):
        day = self.cleaned_data["deadline"]
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return day


class InstructionReplyForm(forms.Form):
    """The society's reply to a 批示: text and optional files (photos, PDF, Word, Excel), phone-friendly."""

    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                           error_messages={"required": _("Write the reply first.")})
    files = MultipleFileField(label=_("Photos and files"), required=False,
                              help_text=_("Photos, PDF, Word or Excel files."))

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write the reply first."))
        return text


class UpdateEditForm(forms.Form):
    """Correcting a progress update's date, text and link (its author, within 24 hours)."""

    happened_on = DateField(label=_("Date"))
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    link = forms.URLField(label=_("News link"), required=False, assume_scheme="https")

    clean_happened_on = ProgressUpdateForm.clean_happened_on


class DecisionForm(forms.Form):
    """The secretariat's answer to a request: approve, or refuse with a reason."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
                                 error_messages={"invalid_choice": _("Choose approve or refuse."),
                                                 "required": _("Choose approve or refuse.")})
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
