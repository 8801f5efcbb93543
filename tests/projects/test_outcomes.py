"""Activity outcomes: who records them, evidence checked by content, confirmation by the secretariat."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from projects.choices import ReviewStatus
from projects.models import ActivityOutcome, Attachment
from tests.projects.test_updates import EXE, PNG

pytestmark = pytest.mark.django_db


def outcome_data(**overrides) -> dict:
    data = {"held_on": timezone.localdate().isoformat(), "kind": "popularisation", "title": "科普进社区",
            "place": "市中区", "participants": "120", "expert_person_times": "4", "served_count": "2",
            "served_names": "", "news_link": "", "description": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("who", "status"), [
    ("society1", 302), ("society1_colleague", 302), ("district1", 302), ("secretariat", 302),
    ("society2", 404), ("leader", 404), ("nobody", 404)])
def test_outcome_recorded_by_who_works_on_the_project(client, world, who, status):
    client.force_login(world[who])
    response = client.post(reverse("projects:outcome_create", args=[world["a"].pk]), outcome_data())
    assert response.status_code == status
    assert ActivityOutcome.objects.filter(project=world["a"]).exists() is (status == 302)


def test_outcome_with_evidence_awaits_confirmation_then_counts(client, world):
    client.force_login(world["society1"])
    data = outcome_data(files=[SimpleUploadedFile("现场.png", PNG)])
    assert client.post(reverse("projects:outcome_create", args=[world["a"].pk]), data).status_code == 302
    outcome = ActivityOutcome.objects.get()
    assert outcome.review == ReviewStatus.PENDING and outcome.entered_by == world["society1"]
    assert outcome.evidence.get().content_type == "image/png"
    page = client.get(reverse("projects:outcome", args=[outcome.pk]))
    assert page.status_code == 200 and "待确认" in page.content.decode()
    client.force_login(world["secretariat"])
    client.post(reverse("reports:review", args=["outcome", outcome.pk]), {"decision": "confirm"})
    outcome.refresh_from_db()
    assert outcome.review == ReviewStatus.CONFIRMED and outcome.reviewed_by == world["secretariat"]


def test_outcome_with_a_disguised_file_stores_nothing(client, world):
    client.force_login(world["society1"])
    data = outcome_data(files=[SimpleUploadedFile("现场.jpg", EXE)])
    response = client.post(reverse("projects:outcome_create", args=[world["a"].pk]), data)
    assert response.status_code == 400 and "内容与其文件类型不符" in response.content.decode()
    assert not ActivityOutcome.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("overrides", [{"participants": "-3"}, {"held_on": "2025-02-30"}, {"kind": "party"},
                                       {"participants": "很多"}])
def test_outcome_bad_input_is_refused(client, world, overrides):
    client.force_login(world["society1"])
    response = client.post(reverse("projects:outcome_create", args=[world["a"].pk]), outcome_data(**overrides))
    assert response.status_code == 400 and not ActivityOutcome.objects.exists()


def test_outcome_of_another_society_is_not_found(client, world):
    outcome = ActivityOutcome.objects.create(project=world["b"], held_on=timezone.localdate(), title="B的活动")
    client.force_login(world["society1"])
    assert client.get(reverse("projects:outcome", args=[outcome.pk])).status_code == 404
    client.force_login(world["leader"])
    assert client.get(reverse("projects:outcome", args=[outcome.pk])).status_code == 200
