"""The back office reads evaluation rounds: a published round is frozen there (no change, no delete, its scheme
read-only, no bulk delete); a draft may be deleted."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from evaluation.choices import Half
from evaluation.models import Indicator, Result, Round
from evaluation.scoring import create_round, publish
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def admin_user(client):
    user = factories.user(Role.SECRETARIAT)
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return user


@pytest.fixture
def rounds(admin_user):
    factories.society("市老科协")
    factories.district("滕州市科协")
    published = create_round(name="已发布", year=YEAR, half=Half.YEAR, evaluated="both", user=admin_user)
    publish(published, user=admin_user)
    draft = create_round(name="草稿", year=YEAR, half=Half.YEAR, evaluated="both", user=admin_user)
    return Round.objects.get(pk=published.pk), draft


def test_published_round_is_read_only_in_the_admin(client, rounds):
    published, _draft = rounds
    assert published.is_published and Result.objects.filter(round=published).exists()
    change = reverse("admin:evaluation_round_change", args=[published.pk])
    page = client.get(change)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and "deletelink" not in html
    assert 'name="indicators-0-weight"' not in html  # the scheme's weights are shown, not editable
    weights = list(published.indicators.values_list("weight", flat=True))
    response = client.post(change, {"name": "改名", "year": YEAR, "indicators-TOTAL_FORMS": "0",
                                    "indicators-INITIAL_FORMS": "0"})
    assert response.status_code == 403
    assert client.get(reverse("admin:evaluation_round_delete", args=[published.pk])).status_code == 403
    assert client.post(reverse("admin:evaluation_round_delete", args=[published.pk]), {"post": "yes"}).status_code \
        == 403
    published.refresh_from_db()
    assert published.name == "已发布" and list(published.indicators.values_list("weight", flat=True)) == weights


def test_no_bulk_delete_and_a_draft_may_be_deleted(client, rounds):
    published, draft = rounds
    changelist = reverse("admin:evaluation_round_changelist")
    assert "delete_selected" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [published.pk, draft.pk],
                             "post": "yes"})
    assert Round.objects.filter(pk=published.pk).exists() and Round.objects.filter(pk=draft.pk).exists()
    response = client.post(reverse("admin:evaluation_round_delete", args=[draft.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Round.objects.filter(pk=draft.pk).exists() and not Indicator.objects.filter(round_id=draft.pk).exists()
    assert Round.objects.filter(pk=published.pk).exists()
