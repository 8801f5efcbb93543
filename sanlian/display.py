"""A field's value as people read it: choices by their label, yes / no, related records by name, "—" for none;
and a person by their name (姓名), never their user name when they have a name."""

import re

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


_HAN = re.compile(r"[\u3400-\u9fff]")


def person_name(user, default: str = "—") -> str:
    """How a portal user is shown (history, reports' "生成人", meetings, notifications): their name (姓名), a
    Chinese name written family name first without a space; the user name only when no name is recorded;
    ``default`` for nobody."""
    if user is None or getattr(user, "pk", None) is None:
        return default
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last:
        return last + first if _HAN.search(first + last) else "{} {}".format(first, last)
    return first or last or user.get_username()
