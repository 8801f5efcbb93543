from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation and commendation")

    def ready(self) -> None:
        from sanlian import panels

        from . import access
        from .halfyear import commendation_panel
        from .panels import my_result_panel

        access.register()
        panels.register("reports:halfyear-commendation", commendation_panel)
        panels.register("projects:mine", my_result_panel)
