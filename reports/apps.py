from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Targets and reports")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from activities.models import Campaign, CampaignLine, Measure, OwnActivity, Venue
        from needs.models import Need, NeedVisit
        from projects.models import ActivityOutcome, Project, ProjectDistrict
        from projects.reminders import register_daily_section
        from projects.signals import projects_bulk_changed
        from sanlian import panels
        from societies.signals import portal_setup

        from . import access, tasks  # noqa: F401 (tasks: registered with Celery by name)
        from .dashboard import invalidate_dashboard
        from .models import OrganisationRecord, TargetDefinition
        from .paper import summary_link_panel
        from .receivers import load_target_definitions
        from .records import activity_review_panel, outcome_review_panel
        from .review import daily_items

        access.register()
        register_daily_section(daily_items)
        panels.register("projects:outcome", outcome_review_panel)
        panels.register("activities:detail", activity_review_panel)
        panels.register("organisation", summary_link_panel)
        portal_setup.connect(load_target_definitions, dispatch_uid="sanlian-reports-targets")
        for model in (Project, ProjectDistrict, ActivityOutcome, OrganisationRecord, TargetDefinition, Need, NeedVisit,
                      OwnActivity, Campaign, CampaignLine, Venue, Measure):
            for signal in (post_save, post_delete):
                signal.connect(invalidate_dashboard, sender=model, dispatch_uid="sanlian-dashboard-" + model.__name__)
        projects_bulk_changed.connect(invalidate_dashboard, dispatch_uid="sanlian-dashboard-bulk")
        for through in (ActivityOutcome.upper_units.through, ActivityOutcome.industries.through,
                        OwnActivity.industries.through, OwnActivity.measures.through, Campaign.measures.through,
                        Measure.projects.through):
            m2m_changed.connect(invalidate_dashboard, sender=through, dispatch_uid="sanlian-dashboard-" + through.__name__)
