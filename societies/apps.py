from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The apps whose models the secretariat keeps in the back office.
SECRETARIAT_APPS = ("societies", "projects", "meetings", "reports", "django_celery_beat", "axes")


def grant_secretariat_permissions(sender, using="default", **kwargs) -> None:
    """Give the secretariat group every permission of the portal's apps (permissions exist only after migrate)."""
    from django.contrib.auth.models import Group, Permission

    from .choices import Role

    group = Group.objects.using(using).filter(name=Role.SECRETARIAT).first()
    if group is not None:
        group.permissions.add(*Permission.objects.using(using).filter(content_type__app_label__in=SECRETARIAT_APPS))


class SocietiesConfig(AppConfig):
    name = "societies"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        post_migrate.connect(grant_secretariat_permissions, dispatch_uid="sanlian-secretariat-permissions")
