"""Signal receivers of the projects app."""

from django.utils.translation import gettext as _

from .services import import_reference_list


def load_reference_list(sender, **kwargs) -> str:
    """On ``setup_portal``: import the shipped 2024 list into a portal without projects (never over data)."""
    result = import_reference_list()
    if result is None:
        return _("Key-project list: projects exist already, the 2024 list was not imported.")
    return _("Key-project list: {} projects of {} imported.").format(result.created["projects"], result.year)
