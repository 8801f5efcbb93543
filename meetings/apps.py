from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def open_decisions_panel(user) -> dict | None:
    from .services import open_decisions_for

    decisions = list(open_decisions_for(user)[:50])
    return {"template": "meetings/_open_decisions.html", "decisions": decisions} if decisions else None


def decision_schedule(sender, **kwargs) -> str:
    from .services import sync_decision_schedule

    return sync_decision_schedule()


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Joint meetings")

    def ready(self) -> None:
        from projects.services import register_my_projects_panel
        from societies.signals import portal_setup

        register_my_projects_panel(open_decisions_panel)
        portal_setup.connect(decision_schedule, dispatch_uid="sanlian-meetings-decision-schedule")
