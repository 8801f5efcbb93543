from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Targets and reports")

    def ready(self) -> None:
        from societies.signals import portal_setup

        from .receivers import load_target_definitions

        portal_setup.connect(load_target_definitions, dispatch_uid="sanlian-reports-targets")
