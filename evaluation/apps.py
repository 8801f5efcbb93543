from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation and commendation")

    def ready(self) -> None:
        from reports.halfyear import register_commendation_section

        from . import access
        from .halfyear import commendation_section

        access.register()
        register_commendation_section(commendation_section)
