"""Forms of the organisation pages and the account pages."""

import unicodedata

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from sanlian.forms import SearchableCheckboxSelectMultiple, formfield

from .access import is_last_secretariat
from .choices import Role
from .kinds import Kind
from .models import District, Organisation, Society, name_key

FOUNDED_MIN_YEAR = 1900


class RecordForm(forms.ModelForm):
    """A record of one kind; a name already taken by another record of the same kind is refused in Chinese."""

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        model = self._meta.model
        others = model.objects.exclude(pk=self.instance.pk) if self.instance.pk else model.objects.all()
        if issubclass(model, Organisation):
            taken = others.filter(name_key=name_key(name)).exists()
        elif model._meta.get_field("name").unique:
            taken = others.filter(name=name).exists()
        else:
            taken = False
        if taken:
            raise forms.ValidationError(
                _("A {kind} named “{name}” exists already.").format(kind=model._meta.verbose_name, name=name)
            )
        return name


def record_form_class(kind: Kind) -> type[RecordForm]:
    widgets = {
        name: SearchableCheckboxSelectMultiple
        for name in kind.fields
        if kind.model._meta.get_field(name).many_to_many
    }
    return forms.modelform_factory(kind.model, form=RecordForm, fields=kind.fields, widgets=widgets,
                                   formfield_callback=_formfield)


def _formfield(model_field, **kwargs):
    if model_field.name == "founded_on":  # societies are older than the portal's years
        kwargs["min_year"] = FOUNDED_MIN_YEAR
    return formfield(model_field, **kwargs)


# --- accounts ------------------------------------------------------------------------------------------------------
class AccountForm(forms.Form):
    """A user account as the secretariat keeps it: the role decides whether a society or a district is required."""

    username = forms.RegexField(
        label=_("User name"), max_length=150, regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )
    name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    society = forms.ModelChoiceField(label=_("Society"), queryset=Society.objects.all(), required=False)
    district = forms.ModelChoiceField(label=_("District association"), queryset=District.objects.all(),
                                      required=False)

    def __init__(self, *args, instance: User | None = None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)

    def clean_username(self):
        """Normalised (NFKC: ``ＡＤＭＩＮ`` is ``ADMIN``) and refused when it equals another account's name after
        normalising both, whatever the case — look-alike names cannot pose as someone else."""
        username = username_key = unicodedata.normalize("NFKC", self.cleaned_data["username"]).strip()
        username_key = username_key.casefold()
        others = User.objects.exclude(pk=self.instance.pk) if self.instance else User.objects.all()
        taken = others.filter(username__iexact=username).exists() or any(
            unicodedata.normalize("NFKC", other).casefold() == username_key
            for other in others.values_list("username", flat=True).iterator())
        if taken:
            raise forms.ValidationError(_("The user name “{}” is taken.").format(username))
        return username

    def clean(self):
        data = super().clean()
        role, society, district = data.get("role"), data.get("society"), data.get("district")
        if role == Role.SOCIETY and society is None:
            self.add_error("society", _("A society contact needs their society."))
        if role == Role.DISTRICT and district is None:
            self.add_error("district", _("A district contact needs their district association."))
        if role != Role.SOCIETY and society is not None:
            self.add_error("society", _("Only a society contact is tied to a society."))
        if role != Role.DISTRICT and district is not None:
            self.add_error("district", _("Only a district contact is tied to a district association."))
        if self.instance and role and role != Role.SECRETARIAT and is_last_secretariat(self.instance):
            self.add_error("role", _("This is the only secretariat account: give another account the secretariat "
                                     "role first."))
        return data


class TemporaryPasswordForm(forms.Form):
    """A temporary password the secretariat sets; Django's password validators apply."""

    password1 = forms.CharField(label=_("Temporary password"), widget=forms.PasswordInput(render_value=False),
                                strip=False)
    password2 = forms.CharField(label=_("Temporary password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user: User | None = None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def password_user(self) -> User | None:
        return self.user

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first, self.password_user())
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class NewAccountForm(AccountForm, TemporaryPasswordForm):
    """A new account: its details and a first (temporary) password, checked against the new details."""

    field_order = ["username", "name", "email", "role", "society", "district", "password1", "password2"]

    def password_user(self) -> User:
        data = self.cleaned_data
        return User(username=data.get("username", ""), email=data.get("email", ""), first_name=data.get("name", ""))
