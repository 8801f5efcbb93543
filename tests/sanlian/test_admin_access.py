"""The back office shows the secretariat what it works with; the technical tables (log-in lockouts, the Celery
schedule, accounts and groups, the reminder machinery's ledger and runs, calendar tokens) are for superusers only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db

TECHNICAL = ["axes_accessattempt", "axes_accesslog", "axes_accessfailurelog", "django_celery_beat_periodictask",
             "django_celery_beat_crontabschedule", "django_celery_beat_intervalschedule", "auth_user", "auth_group",
             "projects_reminderledger", "projects_reminderrun", "projects_calendarfeed"]
DOMAIN = ["projects_project", "projects_reminderpolicy", "projects_webhookdelivery", "societies_society",
          "meetings_jointmeeting", "reports_targetdefinition"]


def changelist(name: str) -> str:
    return reverse("admin:{}_changelist".format(name))


@pytest.fixture
def secretariat(client):
    user = factories.user(Role.SECRETARIAT)
    assert user.is_staff and not user.is_superuser
    client.force_login(user)
    return user


@pytest.fixture
def superuser(client):
    user = factories.user(Role.SECRETARIAT)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return user


def index_links(client) -> set[str]:
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    return {model["admin_url"] for app in page.context["app_list"] for model in app["models"]}


def test_secretariat_sees_the_domain_models_and_no_technical_table(client, secretariat):
    links = index_links(client)
    for name in DOMAIN:
        assert changelist(name) in links, name
        assert client.get(changelist(name)).status_code == 200, name
    for name in TECHNICAL:
        assert changelist(name) not in links, name
        assert client.get(changelist(name)).status_code == 403, name


def test_secretariat_cannot_open_a_technical_app_page_or_add_form(client, secretariat):
    assert client.get(reverse("admin:app_list", args=["axes"])).status_code == 404
    assert client.get(reverse("admin:app_list", args=["django_celery_beat"])).status_code == 404
    assert client.get(reverse("admin:django_celery_beat_periodictask_add")).status_code == 403


def test_superuser_sees_the_technical_tables(client, superuser):
    links = index_links(client)
    for name in TECHNICAL + DOMAIN:
        assert changelist(name) in links, name
        assert client.get(changelist(name)).status_code == 200, name


def test_every_technical_admin_is_superuser_only():
    from sanlian.admin import TECHNICAL_APPS, SuperuserOnlyMixin

    technical = [model for model in admin.site._registry if model._meta.app_label in TECHNICAL_APPS]
    assert len(technical) >= 10
    assert all(isinstance(admin.site._registry[model], SuperuserOnlyMixin) for model in technical)


def test_secretariat_group_holds_no_technical_permission(secretariat):
    from django.contrib.auth.models import Group

    from societies.apps import TECHNICAL_APPS, grant_secretariat_permissions

    grant_secretariat_permissions(sender=None)
    group = Group.objects.get(name=Role.SECRETARIAT)
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert "projects" in labels and not labels & set(TECHNICAL_APPS)
