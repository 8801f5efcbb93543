from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Own activities")

    def ready(self) -> None:
        from sanlian import panels

        from . import access
        from .reach import district_reach_panel

        access.register()
        panels.register("organisation", district_reach_panel)
