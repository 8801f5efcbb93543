"""Form plumbing shared by the apps: the URL field default, the date input, and several checked files at once."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .uploads import UploadRefused, check_upload


def formfield(model_field, **kwargs):
    """ModelForm ``formfield_callback``: links typed without a scheme are taken as https (Django 6's default)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


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
