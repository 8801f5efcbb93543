from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = _("Enterprise technology needs")

    def ready(self) -> None:
        from sanlian import panels

        from . import access, registry
        from .panels import organisation_needs

        access.register()
        registry.connect()  # the suggestions' copy of the expert registry follows every change to it
        panels.register("organisation", organisation_needs)
