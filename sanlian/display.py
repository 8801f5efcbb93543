"""A field's value as people read it: choices by their label, yes / no, related records by name, "—" for none."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def value_text(model: type[models.Model], name: str, value) -> str:
    """The text of ``value`` of ``model``'s field ``name`` (a related record may be given as itself or its key)."""
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if model_field.is_relation and not isinstance(value, models.Model):
        related = model_field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related else str(value)
    return str(value)
