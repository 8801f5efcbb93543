from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Own activities")

    def ready(self) -> None:
        from sanlian import panels
        from societies.signals import portal_setup

        from . import access
        from .measures import load_measures_on_setup
        from .people import district_roster_panel
        from .reach import district_reach_panel

        access.register()
        panels.register("organisation", district_reach_panel)
        panels.register("organisation", district_roster_panel)
        portal_setup.connect(load_measures_on_setup, dispatch_uid="sanlian-activities-measures")
