"""Every back-office list and add form opens for the secretariat (no 500 from a misconfigured admin)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_admin_changelist_and_add_form_opens(client):
    user = factories.user(Role.SECRETARIAT)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    factories.project(districts=[factories.district()])
    opened = 0
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse("admin:{}_{}_changelist".format(meta.app_label, meta.model_name))
        assert client.get(changelist).status_code == 200, changelist
        if model_admin.has_add_permission(type("R", (), {"user": user})()):
            add = reverse("admin:{}_{}_add".format(meta.app_label, meta.model_name))
            assert client.get(add).status_code == 200, add
        opened += 1
    assert opened >= 15
