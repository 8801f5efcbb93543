from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Key projects")

    def ready(self) -> None:
        from sanlian import panels
        from societies.signals import portal_setup

        from . import access, tasks  # noqa: F401 (tasks: registered with Celery by name)
        from .instruction_views import mine_panel, project_panel
        from .receivers import load_reference_list, organisation_projects, register_reminder_schedule

        access.register()
        portal_setup.connect(load_reference_list, dispatch_uid="sanlian-projects-reference-list")
        portal_setup.connect(register_reminder_schedule, dispatch_uid="sanlian-reminder-schedule")
        panels.register("organisation", organisation_projects)
        panels.register("projects:detail", project_panel)
        panels.register("projects:mine", mine_panel)
