"""Bases and venues (基地与场馆): a registry with kinds as data, kept by the district (its own) and the secretariat;
own activities name their venue; the district page lists venues with this year's activities; "new this year"
counts feed a target through the ``venues_new`` rule."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import OwnActivity, Venue, VenueKind
from projects.choices import ReviewStatus
from reports.models import TargetDefinition
from reports.targets import target_status
from sanlian.access import SYSTEM

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def venue_data(**overrides) -> dict:
    data = {"name": "锦龙社区科普馆", "kind": VenueKind.objects.get(code="community_venue").pk, "host": "锦龙社区",
            "founded_on": "", "status": "active", "contact_name": "", "contact_phone": "", "note": ""}
    data.update(overrides)
    return data


def test_kinds_ship_as_editable_data():
    assert set(VenueKind.objects.values_list("name", flat=True)) >= {"协同创新基地", "社区科普馆", "校园科技馆",
                                                                     "专业科普馆", "企业科协", "高分应用分支机构"}


def test_district_registers_a_venue_and_holds_an_activity_there(client, world):
    client.force_login(world["district1"])
    response = client.post(reverse("activities:venue_create"), venue_data())
    assert response.status_code == 302
    venue = Venue.objects.get()
    assert venue.district == world["d1"]
    elsewhere = Venue.objects.create(name="别区场馆", kind=venue.kind, district=world["d2"])
    form = client.get(reverse("activities:create"))
    assert list(form.context["form"].fields["venue"].queryset) == [venue]
    data = {"title": "主题展览", "kind": "popularisation", "held_on": TODAY.isoformat(), "participants": "700",
            "expert_person_times": "0", "served_count": "0", "venue": venue.pk}
    assert client.post(reverse("activities:create"), data).status_code == 302
    bad = client.post(reverse("activities:create"), dict(data, venue=elsewhere.pk))
    assert bad.status_code == 400 and "选择一个有效的选项" in bad.content.decode()
    activity = OwnActivity.objects.get()
    assert activity.venue == venue
    page = client.get(venue.get_absolute_url()).content.decode()
    assert "主题展览" in page
    district_page = client.get(reverse("societies:detail", args=["districts", world["d1"].pk])).content.decode()
    assert "锦龙社区科普馆" in district_page and "别区场馆" not in district_page


@pytest.mark.parametrize(("who", "read", "change"), [
    ("district1", 200, 302), ("secretariat", 200, 302), ("leader", 200, 404), ("district2", 200, 404),
    ("society1", 200, 404), ("nobody", 404, 404)])
def test_venue_read_by_every_role_changed_by_its_district(client, world, who, read, change):
    venue = Venue.objects.create(name="中兴小学校园科技馆", kind=VenueKind.objects.get(code="school_venue"),
                                 district=world["d1"])
    client.force_login(world[who])
    assert client.get(venue.get_absolute_url()).status_code == read
    assert client.get(reverse("activities:venues")).status_code == read
    response = client.post(reverse("activities:venue_edit", args=[venue.pk]),
                           venue_data(name="改名", district=world["d1"].pk))
    assert response.status_code == change
    venue.refresh_from_db()
    assert (venue.name == "改名") is (change == 302) and venue.district == world["d1"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "必填"), ({"kind": "999"}, "选择一个有效的选项"), ({"founded_on": "2999-01-01"}, "日期不能晚于今天"),
    ({"status": "gone"}, "选择一个有效的选项"), ({"founded_on": "2025-13-01"}, "日期")])
def test_bad_venue_input_is_refused_in_chinese(client, world, overrides, message):
    client.force_login(world["district1"])
    response = client.post(reverse("activities:venue_create"), venue_data(**overrides))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Venue.objects.exists()


def test_new_enterprise_associations_count_toward_a_target(client, world):
    kind = VenueKind.objects.get(code="enterprise_association")
    for name, founded in (("杰诺生物酶企业科协", date(2025, 3, 1)), ("旺达农业企业科协", date(2025, 6, 1)),
                          ("第三家企业科协", date(2025, 9, 1)), ("旧企业科协", date(2024, 5, 1))):
        Venue.objects.create(name=name, kind=kind, district=world["d1"], founded_on=founded)
    Venue.objects.create(name="社区科普馆", kind=VenueKind.objects.get(code="community_venue"),
                         founded_on=date(2025, 4, 1))
    TargetDefinition.objects.create(code="new-enterprise-associations", name="新增企业科协", rule="venues_new",
                                    kinds="enterprise_association", threshold=3)
    status = next(s for s in target_status(year=2025, user=SYSTEM, as_of=date(2025, 12, 31))
                  if s.code == "new-enterprise-associations")
    assert status.value == 3 and len(status.record_ids) == 3
    client.force_login(world["leader"])
    page = client.get(reverse("reports:target", args=["new-enterprise-associations"]), {"year": "2025"})
    assert page.status_code == 200 and "旺达农业企业科协" in page.content.decode()
    assert "旧企业科协" not in page.content.decode()


def test_activity_at_a_venue_counts_on_the_venue_page_only_this_year(client, world):
    venue = Venue.objects.create(name="澳美口腔专业科普馆", kind=VenueKind.objects.get(code="professional_venue"),
                                 district=world["d1"])
    OwnActivity.objects.create(title="今年的活动", district=world["d1"], held_on=TODAY, venue=venue,
                               review=ReviewStatus.CONFIRMED)
    OwnActivity.objects.create(title="去年的活动", district=world["d1"], held_on=date(TODAY.year - 1, 6, 1),
                               venue=venue)
    client.force_login(world["district1"])
    page = client.get(venue.get_absolute_url()).content.decode()
    assert "今年的活动" in page and "去年的活动" not in page
