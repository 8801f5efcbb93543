"""Back-office plumbing shared by the apps' ``admin.py``, and the admin app's configuration (``INSTALLED_APPS``
names ``sanlian.admin.PortalAdminConfig`` instead of ``django.contrib.admin``)."""

from django.contrib.admin.apps import AdminConfig


class ScopedAdminMixin:
    """Back-office lists pass the same access entry point as the portal's pages (``Model.objects.for_user``)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


# The back office's technical tables (log-in lockouts, the Celery schedule and results, accounts and groups, the
# reminder machinery's ledger): for superusers only; the secretariat's staff account sees the domain models.
TECHNICAL_APPS = ("auth", "axes", "django_celery_beat", "django_celery_results")


class SuperuserOnlyMixin:
    """A model admin that only an active superuser sees or uses (its own rules still apply on top)."""

    @staticmethod
    def _superuser(request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request):
        return self._superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request) and super().has_delete_permission(request, obj)


def restrict_to_superusers(site, *, apps=TECHNICAL_APPS, models=()) -> list:
    """Re-register every model of ``apps`` and each of ``models`` on ``site`` with its admin made superuser-only.
    Called once the apps' admin modules are loaded (from the last app's ``admin.py``); returns the models."""
    restricted = []
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label not in apps and model not in models:
            continue
        base = type(model_admin)
        if issubclass(base, SuperuserOnlyMixin):
            continue
        site.unregister(model)
        site.register(model, type(base.__name__, (SuperuserOnlyMixin, base), {"__module__": base.__module__}))
        restricted.append(model)
    return restricted


class PortalAdminConfig(AdminConfig):
    """The admin app: after every app's ``admin.py`` is loaded, the technical tables become superuser-only."""

    def ready(self) -> None:
        super().ready()
        from django.contrib import admin

        restrict_to_superusers(admin.site)
