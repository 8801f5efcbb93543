from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def open_decisions_panel(*, user, **context) -> dict | None:
    """"My projects": the open decisions of the joint meetings that the user's society or district owns."""
    from .services import open_decisions_for

    decisions = list(open_decisions_for(user)[:50])
    return {"template": "meetings/_open_decisions.html", "order": 20, "decisions": decisions} if decisions else None


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Joint meetings")

    def ready(self) -> None:
        from projects.reminders import register_daily_task
        from sanlian import panels

        from . import access, tasks  # noqa: F401 (tasks: registered with Celery by name)

        access.register()
        panels.register("projects:mine", open_decisions_panel)
        register_daily_task("sanlian: decision reminders", "sanlian.meetings.remind_decisions")
