"""Counts have sane bounds: an oversized number is refused with a Chinese message on every path, the database
refuses it too, and the dashboard renders with the largest numbers allowed."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from projects.choices import ReviewStatus
from projects.models import ActivityOutcome
from reports.models import OrganisationRecord
from reports.targets import load_targets
from sanlian.bounds import COUNT_MAX
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db
INT64_MAX = str(2**63 - 1)


@pytest.fixture
def world(db):
    load_targets()
    society = factories.society()
    return {"society": society, "project": factories.project(society=society, year=timezone.localdate().year),
            "contact": factories.user(Role.SOCIETY, society=society),
            "secretariat": factories.user(Role.SECRETARIAT), "leader": factories.user(Role.LEADER)}


@pytest.mark.parametrize("field", ["participants", "expert_person_times", "served_count"])
@pytest.mark.parametrize("value", [INT64_MAX, str(COUNT_MAX + 1)])
def test_an_oversized_outcome_count_is_refused_in_chinese(client, world, field, value):
    client.force_login(world["contact"])
    data = {"held_on": timezone.localdate().isoformat(), "kind": "popularisation", "title": "科普进社区",
            "place": "市中区", "participants": "120", "expert_person_times": "4", "served_count": "2"}
    data[field] = value
    response = client.post(reverse("projects:outcome_create", args=[world["project"].pk]), data)
    assert response.status_code == 400
    assert "最多 10,000,000" in " ".join(response.context["form"].errors[field])
    assert not ActivityOutcome.objects.exists()
    data[field] = str(COUNT_MAX)
    assert client.post(reverse("projects:outcome_create", args=[world["project"].pk]), data).status_code == 302


def test_an_oversized_record_count_is_refused_in_chinese(client, world):
    client.force_login(world["secretariat"])
    response = client.post(reverse("reports:record_create"), {
        "kind": "member_intake", "happened_on": date.today().isoformat(), "title": "新会员", "count": INT64_MAX})
    assert response.status_code == 400 and "最多 10,000,000" in response.content.decode()
    assert not OrganisationRecord.objects.exists()


def test_the_back_office_refuses_an_oversized_count(client, world):
    record = OrganisationRecord.objects.create(kind="member_intake", happened_on=date.today(), title="新会员", count=3)
    world["secretariat"].is_staff = True
    world["secretariat"].save()
    client.force_login(world["secretariat"])
    url = reverse("admin:reports_organisationrecord_change", args=[record.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {name: value for name, value in page.context["adminform"].form.initial.items() if value is not None}
    data.update({"happened_on": date.today().isoformat(), "count": INT64_MAX})
    response = client.post(url, data)
    assert response.status_code == 200 and "最多 10,000,000" in response.content.decode()
    record.refresh_from_db()
    assert record.count == 3


def test_the_database_refuses_an_oversized_count():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationRecord.objects.create(kind="member_intake", happened_on=date.today(), title="x", count=COUNT_MAX + 1)
    project = factories.project()
    for field in ("participants", "expert_person_times", "served_count"):
        with pytest.raises(IntegrityError), transaction.atomic():
            ActivityOutcome.objects.create(project=project, held_on=date.today(), title="x", **{field: COUNT_MAX + 1})


def test_the_dashboard_renders_with_the_largest_counts(client, world):
    for _ in range(3):
        ActivityOutcome.objects.create(project=world["project"], held_on=timezone.localdate(), title="大活动",
                                       participants=COUNT_MAX, expert_person_times=COUNT_MAX, served_count=COUNT_MAX,
                                       review=ReviewStatus.CONFIRMED)
        OrganisationRecord.objects.create(kind="member_intake", happened_on=timezone.localdate(), title="会员",
                                          count=COUNT_MAX, review=ReviewStatus.CONFIRMED)
    for who in ("leader", "secretariat", "contact"):
        client.force_login(world[who])
        assert client.get(reverse("reports:dashboard")).status_code == 200
        assert client.get(reverse("reports:dashboard_export")).status_code == 200
        assert client.get(reverse("reports:target", args=["T1-members"])).status_code == 200
