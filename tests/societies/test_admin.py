"""The back office of the societies app: Chinese, searchable, filterable, scoped to the secretariat."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from societies.choices import Role
from societies.models import Contact, District, Expert, Industry, Partner, Society, UpperUnit
from tests import factories

pytestmark = pytest.mark.django_db
MODELS = [Society, District, UpperUnit, Partner, Industry, Contact, Expert]


def changelist(model) -> str:
    return reverse("admin:{}_{}_changelist".format(model._meta.app_label, model._meta.model_name))


@pytest.fixture
def secretariat():
    return factories.user(Role.SECRETARIAT, username="sec")


@pytest.fixture
def superuser():
    """The user admin is for superusers: a staff user who may change users could make themselves superuser, so the
    secretariat keeps accounts in the portal's account pages instead."""
    return User.objects.create_superuser("root", "root@example.org", factories.PASSWORD)


@pytest.mark.parametrize("model", MODELS)
def test_changelists_open_in_chinese_with_search(client, secretariat, model):
    client.force_login(secretariat)
    response = client.get(changelist(model), {"q": "市"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "三联三促管理后台" in body
    assert 'name="q"' in body


def test_user_admin_closed_to_secretariat(client, secretariat):
    client.force_login(secretariat)
    assert client.get(changelist(User)).status_code == 403


def test_user_admin_has_profile_inline_and_unit_column(client, superuser):
    own = factories.society("市老科协")
    alice = factories.user(Role.SOCIETY, username="alice", society=own)
    client.force_login(superuser)
    body = client.get(reverse("admin:auth_user_change", args=[alice.pk])).content.decode()
    assert "profile-0-society" in body or 'name="profile-0-society"' in body
    listing = client.get(changelist(User), {"profile__society__id__exact": own.pk}).content.decode()
    assert "alice" in listing and "市老科协" in listing


def test_user_changelist_query_count_same_at_two_sizes(client, superuser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(superuser)
    counts = []
    for size in (2, 20):
        for _n in range(size):
            factories.user(Role.SOCIETY, society=factories.society())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(changelist(User)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("role", [Role.LEADER, Role.SOCIETY, Role.DISTRICT])
def test_back_office_closed_to_other_roles(client, role):
    client.force_login(factories.user(role))
    response = client.get(changelist(Society))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
