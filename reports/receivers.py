"""Signal receivers of the reports app."""

from django.utils.translation import gettext as _

from .targets import load_targets


def load_target_definitions(sender, **kwargs) -> str:
    """On ``setup_portal``: the plan's targets from ``fixtures/targets.json`` where missing."""
    return _("Targets: {} created.").format(load_targets())
