"""Forms of the organisation and account pages."""

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from sanlian.forms import formfield

from .choices import Role
from .models import District, Society, name_key


def organisation_form(kind) -> type[forms.ModelForm]:
    """A ModelForm of ``kind``'s fields; dates as date inputs; a duplicate name is a form error, not a 500."""
    widgets = {name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in kind.fields
               if kind.model._meta.get_field(name).get_internal_type() == "DateField"}
    widgets.update({name: forms.Textarea(attrs={"rows": 3}) for name in ("remarks",) if name in kind.fields})

    class OrganisationForm(forms.ModelForm):
        class Meta:
            model = kind.model
            formfield_callback = formfield
            fields = kind.fields

        def clean_name(self):
            name = self.cleaned_data["name"].strip()
            if hasattr(kind.model, "name_key"):
                clash = kind.model.objects.filter(name_key=name_key(name)).exclude(pk=self.instance.pk)
                if clash.exists():
                    raise forms.ValidationError(_("“{}” exists already.").format(name))
            return name

    OrganisationForm.Meta.widgets = widgets
    return OrganisationForm


class AccountForm(forms.Form):
    """A portal account: who, which role, and the society or district the role needs."""

    username = forms.RegexField(label=_("Username"), max_length=150, regex=r"^[\w.@+-]+$",
                                error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")})
    name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    society = forms.ModelChoiceField(Society.objects.order_by("name"), label=_("Society"), required=False)
    district = forms.ModelChoiceField(District.objects.all(), label=_("District association"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    password = forms.CharField(label=_("Temporary password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Leave empty to keep the current password."))

    def __init__(self, *args, account: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        if account is None:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""

    def clean_username(self):
        username = self.cleaned_data["username"]
        clash = User.objects.filter(username__iexact=username)
        if self.account is not None:
            clash = clash.exclude(pk=self.account.pk)
        if clash.exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.SOCIETY and not data.get("society"):
            self.add_error("society", _("A society contact needs a society."))
        if role == Role.DISTRICT and not data.get("district"):
            self.add_error("district", _("A district contact needs a district association."))
        if data.get("password"):
            try:
                validate_password(data["password"], self.account)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data
