from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The apps whose models the secretariat keeps in the back office.
SECRETARIAT_APPS = ("societies", "projects", "meetings", "reports")
# Technical tables (log-in lockouts, the Celery schedule and results): superusers only (see sanlian.admin).
TECHNICAL_APPS = ("axes", "django_celery_beat", "django_celery_results")


def grant_secretariat_permissions(sender, using="default", **kwargs) -> None:
    """Give the secretariat group every permission of the portal's apps and none of the technical tables'
    (permissions exist only after migrate; an older install's grants of technical tables are taken back)."""
    from django.contrib.auth.models import Group, Permission

    from .choices import Role

    group = Group.objects.using(using).filter(name=Role.SECRETARIAT).first()
    if group is not None:
        permissions = Permission.objects.using(using)
        group.permissions.add(*permissions.filter(content_type__app_label__in=SECRETARIAT_APPS))
        group.permissions.remove(*permissions.filter(content_type__app_label__in=TECHNICAL_APPS))


def flag_temporary_password(sender, request, user, **kwargs) -> None:
    """At log-in with a temporary password, the session asks for a new one before anything else."""
    from sanlian.middleware import PASSWORD_CHANGE_REQUIRED

    from .services import must_change_password

    if request is not None and hasattr(request, "session") and must_change_password(user):
        request.session[PASSWORD_CHANGE_REQUIRED] = True


def contacts_panel(*, user, organisation, **context) -> dict | None:
    """The ``organisation`` panel of a society's or district association's contacts."""
    from .models import Contact, District, Society

    if not isinstance(organisation, (Society, District)):
        return None
    contacts = Contact.objects.for_user(user).filter(**{organisation._meta.model_name: organisation})
    return {"template": "societies/_contacts_section.html", "order": 20, "contacts": contacts}


class SocietiesConfig(AppConfig):
    name = "societies"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from sanlian import panels

        from . import access

        access.register()
        panels.register("organisation", contacts_panel)
        post_migrate.connect(grant_secretariat_permissions, dispatch_uid="sanlian-secretariat-permissions")
        user_logged_in.connect(flag_temporary_password, dispatch_uid="sanlian-temporary-password")
