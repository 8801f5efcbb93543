"""Template filters available in every template (``TEMPLATES`` ``builtins``): ``{{ someone|person }}``."""

from django import template

from .display import person_name

register = template.Library()


@register.filter
def person(user, default: str = "—") -> str:
    """A user by their name (``sanlian.display.person_name``); ``default`` (—) for none."""
    return person_name(user, default)
