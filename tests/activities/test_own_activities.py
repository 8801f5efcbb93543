"""Own activities (自主活动): recorded by a district or society contact from a phone, seen by their unit, the
secretariat and the leadership (others 404), confirmed by the secretariat, counted in the targets and the
drill-down exactly like outcomes of list projects."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityEvidence, OwnActivity
from projects.choices import ReviewStatus
from projects.models import ActivityOutcome
from reports.targets import target_status
from sanlian.access import SYSTEM
from societies.models import Industry
from tests import factories
from tests.projects.test_updates import EXE, PNG

pytestmark = pytest.mark.django_db
PHONE = {"HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"}


def activity_data(**overrides) -> dict:
    data = {"title": "社区科普馆主题展览", "kind": "popularisation", "held_on": timezone.localdate().isoformat(),
            "ended_on": "", "place": "锦龙社区科普馆", "town": "光明路街道", "participants": "700",
            "expert_person_times": "3", "served_count": "2", "served_names": "", "news_link": "", "description": ""}
    data.update(overrides)
    return data


def make(unit, *, review=ReviewStatus.CONFIRMED, held_on=date(2025, 5, 1), kind="popularisation",
         title="田间课堂", **fields):
    key = "district" if unit.__class__.__name__ == "District" else "society"
    return OwnActivity.objects.create(title=title, kind=kind, held_on=held_on, review=review, **{key: unit},
                                      **fields)


def test_district_records_an_activity_from_a_phone_with_evidence(client, world):
    client.force_login(world["district1"])
    form = client.get(reverse("activities:create"), **PHONE)
    assert form.status_code == 200
    page = form.content.decode()
    assert 'type="date"' in page and 'inputmode="numeric"' in page and 'name="district"' not in page
    upper = factories.upper_unit("山东省农学会")
    assert 'name="linked_societies"' not in page
    data = activity_data(upper_units=[upper.pk], other_organisers="市医学会",
                         files=[SimpleUploadedFile("现场.png", PNG)])
    response = client.post(reverse("activities:create"), data, **PHONE)
    assert response.status_code == 302, response.context["form"].errors
    activity = OwnActivity.objects.get()
    assert (activity.district, activity.society, activity.review) == (world["d1"], None, ReviewStatus.PENDING)
    assert activity.entered_by == world["district1"] and list(activity.upper_units.all()) == [upper]
    evidence = activity.evidence.get()
    assert evidence.content_type == "image/png"
    assert client.get(evidence.get_absolute_url()).status_code == 200
    detail = client.get(activity.get_absolute_url()).content.decode()
    assert "待确认" in detail and "光明路街道" in detail


@pytest.mark.parametrize(("who", "status"), [
    ("district1", 200), ("district1_colleague", 200), ("secretariat", 200), ("leader", 200),
    ("society1", 200),  # named as a co-organising society: reads it
    ("district2", 404), ("society2", 404), ("nobody", 404)])
def test_activity_seen_by_its_unit_linked_society_and_the_city(client, world, who, status):
    activity = make(world["d1"])
    activity.linked_societies.add(world["s1"])
    evidence = ActivityEvidence.objects.create(activity=activity, file="activities/x.png", original_name="x.png",
                                               content_type="image/png", size=3)
    client.force_login(world[who])
    assert client.get(activity.get_absolute_url()).status_code == status
    listed = client.get(reverse("activities:list"))
    assert (activity.title in listed.content.decode()) is (status == 200)
    if status == 404:
        assert client.get(evidence.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(("who", "status"), [
    ("district1", 302), ("district1_colleague", 302), ("secretariat", 302),
    ("society1", 404), ("leader", 404), ("district2", 404), ("nobody", 404)])
def test_activity_changed_only_by_its_unit_and_the_secretariat(client, world, who, status):
    activity = make(world["d1"])
    activity.linked_societies.add(world["s1"])
    client.force_login(world[who])
    response = client.post(reverse("activities:edit", args=[activity.pk]), activity_data(title="改过的标题",
                                                                                 district=world["d1"].pk))
    assert response.status_code == status
    activity.refresh_from_db()
    assert (activity.title == "改过的标题") is (status == 302)


def test_contact_change_sends_the_activity_back_for_confirmation(client, world):
    activity = make(world["d1"])
    client.force_login(world["district1"])
    client.post(reverse("activities:edit", args=[activity.pk]), activity_data(participants="800"))
    activity.refresh_from_db()
    assert (activity.participants, activity.review) == (800, ReviewStatus.PENDING)
    assert activity.district == world["d1"]


@pytest.mark.parametrize(("who", "status"), [("leader", 404), ("nobody", 404)])
def test_record_page_refused_to_who_has_no_unit(client, world, who, status):
    client.force_login(world[who])
    assert client.get(reverse("activities:create")).status_code == status
    assert client.post(reverse("activities:create"), activity_data()).status_code == status


@pytest.mark.parametrize(("overrides", "message"), [
    ({"participants": "-3"}, "0"), ({"held_on": "2025-02-30"}, "日期"), ({"kind": "party"}, "选择"),
    ({"participants": "很多"}, "整数"), ({"title": ""}, "必填"),
    ({"held_on": "2025-05-02", "ended_on": "2025-05-01"}, "最后一天不能早于第一天"),
    ({"held_on": "2099-01-01"}, "日期不能晚于今天"), ({"held_on": "2999-01-01"}, "2100")])
def test_bad_input_is_refused_in_chinese(client, world, overrides, message):
    client.force_login(world["district1"])
    response = client.post(reverse("activities:create"), activity_data(**overrides))
    assert response.status_code == 400 and message in response.content.decode()
    assert not OwnActivity.objects.exists()


def test_disguised_evidence_stores_nothing(client, world):
    client.force_login(world["society1"])
    response = client.post(reverse("activities:create"), activity_data(files=[SimpleUploadedFile("现场.jpg", EXE)]))
    assert response.status_code == 400 and "内容与其文件类型不符" in response.content.decode()
    assert not OwnActivity.objects.exists() and not ActivityEvidence.objects.exists()


def test_secretariat_must_choose_one_unit(client, world):
    client.force_login(world["secretariat"])
    response = client.post(reverse("activities:create"), activity_data())
    assert response.status_code == 400 and "请选择一个区（市）科协或一个学会" in response.content.decode()
    response = client.post(reverse("activities:create"), activity_data(society=world["s2"].pk))
    assert response.status_code == 302
    activity = OwnActivity.objects.get()
    assert (activity.society, activity.review) == (world["s2"], ReviewStatus.CONFIRMED)


def test_list_is_paginated_and_filtered(client, world):
    for day in range(1, 56):
        make(world["d1"], held_on=date(2025, 1, 1) + timezone.timedelta(days=day), kind="innovation")
    make(world["d1"], held_on=date(2024, 3, 3), title="旧活动")
    client.force_login(world["district1"])
    first = client.get(reverse("activities:list"))
    assert first.status_code == 200 and len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 56
    assert client.get(reverse("activities:list"), {"year": "2024"}).context["page"].paginator.count == 1
    assert client.get(reverse("activities:list"), {"kind": "innovation", "page": "2"}).context[
        "page"].paginator.count == 55
    # nonsense filters are ignored, never a 500
    assert client.get(reverse("activities:list"), {"year": "abc", "page": "x"}).status_code == 200


def test_confirmation_by_the_secretariat_only(client, world):
    activity = make(world["d1"], review=ReviewStatus.PENDING)
    client.force_login(world["district1"])
    assert client.post(reverse("reports:review", args=["activity", activity.pk]),
                       {"decision": "confirm"}).status_code == 404
    client.force_login(world["secretariat"])
    queue = client.get(reverse("reports:review_queue")).content.decode()
    assert activity.title in queue
    assert "确认" in client.get(activity.get_absolute_url()).content.decode()
    response = client.post(reverse("reports:review", args=["activity", activity.pk]), {"decision": "confirm"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.review == ReviewStatus.CONFIRMED and activity.reviewed_by == world["secretariat"]
    response = client.post(reverse("reports:review", args=["activity", activity.pk]), {"decision": "maybe"})
    assert response.status_code == 400 and "请选择确认或退回" in response.content.decode()
    activity.refresh_from_db()
    assert activity.review == ReviewStatus.CONFIRMED


def _status(code, user=SYSTEM):
    return next(s for s in target_status(year=2025, user=user, as_of=date(2025, 9, 30)) if s.code == code)


def test_confirmed_activities_count_in_t4_like_outcomes(client, world, targets):
    project = factories.project(society=world["s1"], districts=[world["d1"]], year=2025)
    ActivityOutcome.objects.create(project=project, held_on=date(2025, 5, 1), title="成效", kind="popularisation",
                                   review=ReviewStatus.CONFIRMED, participants=5)
    counted = make(world["d1"], kind="innovation")
    make(world["d1"], review=ReviewStatus.PENDING)  # awaiting confirmation
    make(world["d2"], kind="training")  # not a kind T4 counts
    make(world["d2"], held_on=date(2024, 5, 1))  # another year
    t4 = _status("T4-joint-activities")
    assert (t4.value, t4.also_ids) == (2, {"activity": [counted.pk]})
    # the district sees its own part only
    assert _status("T4-joint-activities", world["district2"]).value == 0
    client.force_login(world["secretariat"])
    page = client.get(reverse("reports:target", args=["T4-joint-activities"]), {"year": "2025"})
    assert page.status_code == 200 and page.context["value"] == 2
    assert [row.pk for row in page.context["activities"]] == [counted.pk]
    assert counted.get_absolute_url() in page.content.decode()
    # the kinds a target counts are data on the target
    from reports.models import TargetDefinition
    TargetDefinition.objects.filter(code="T4-joint-activities").update(kinds="popularisation,innovation,training")
    assert _status("T4-joint-activities").value == 3


def test_activities_count_in_expert_services_and_the_command(world, targets, capsys):
    industry = Industry.objects.create(name="新材料")
    with_industry = make(world["d1"], expert_person_times=8, served_count=4)
    with_industry.industries.add(industry)
    make(world["d2"], expert_person_times=5, served_count=1)  # no "6+3" industry: no expert services
    assert _status("T3-expert-services").value == 8
    # T3-served counts distinct enterprises from need visits (家), not the activities' typed numbers
    assert _status("T3-served").value == 0
    call_command("target_status", "--year", "2025", "--as-of", "2025-09-30", "--json")
    rows = {row["code"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["T3-expert-services"]["value"] == 8 and set(rows["T3-served"]) == {
        "code", "name", "value", "threshold", "period_start", "period_end", "share_done", "share_elapsed", "pace",
        "record_ids"}
