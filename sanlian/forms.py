"""Form plumbing shared by the apps."""

from django.db import models


def formfield(model_field, **kwargs):
    """ModelForm ``formfield_callback``: links typed without a scheme are taken as https (Django 6's default)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)
