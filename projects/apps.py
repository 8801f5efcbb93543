from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Key projects")

    def ready(self) -> None:
        from societies.signals import organisation_page, portal_setup

        from .receivers import load_reference_list, register_reminder_schedule

        portal_setup.connect(load_reference_list, dispatch_uid="sanlian-projects-reference-list")
        portal_setup.connect(register_reminder_schedule, dispatch_uid="sanlian-reminder-schedule")
        from .receivers import organisation_projects  # issue #3: the projects section of an organisation's page

        organisation_page.connect(organisation_projects, dispatch_uid="sanlian-organisation-projects")
