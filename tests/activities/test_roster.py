"""People programmes (科技辅导员 and similar rosters): a district keeps its own people, the secretariat all, the
leadership reads; others 404; counts per district on the roster page and on the district's page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Programme, RosterMember
from activities.people import counts_by_district, default_programme
from sanlian.access import SYSTEM

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def member_data(**overrides) -> dict:
    data = {"programme": default_programme().pk, "name": "王老师", "unit": "市中区实验小学",
            "certified_on": TODAY.isoformat(), "trainings": "3", "training_note": "市级科技辅导员培训班",
            "phone": "", "note": ""}
    data.update(overrides)
    return data


def test_tutor_programme_ships_as_data_and_is_the_default(client, world):
    assert Programme.objects.get(code="tutor").name == "科技辅导员"
    client.force_login(world["district1"])
    form = client.get(reverse("activities:roster_create")).context["form"]
    assert form["programme"].value() == Programme.objects.get(code="tutor").pk
    assert "district" not in form.fields


def test_district_records_its_own_tutor_and_another_programme(client, world):
    client.force_login(world["district1"])
    assert client.post(reverse("activities:roster_create"), member_data()).status_code == 302
    other = Programme.objects.create(code="volunteer", name="科普志愿者")
    assert client.post(reverse("activities:roster_create"), member_data(
        name="李工", programme=other.pk, certified_on="", trainings="0")).status_code == 302
    tutor = RosterMember.objects.get(name="王老师")
    assert (tutor.district, tutor.programme.name, tutor.trainings, tutor.entered_by) == (
        world["d1"], "科技辅导员", 3, world["district1"])
    page = client.get(reverse("activities:roster")).content.decode()
    assert "王老师" in page and "李工" in page
    # edited and deleted by the district
    assert client.post(reverse("activities:roster_edit", args=[tutor.pk]),
                       member_data(trainings="4")).status_code == 302
    assert RosterMember.objects.get(pk=tutor.pk).trainings == 4
    assert client.post(reverse("activities:roster_delete", args=[tutor.pk])).status_code == 302
    assert not RosterMember.objects.filter(pk=tutor.pk).exists()


@pytest.mark.parametrize(("who", "read", "create", "change"), [
    ("district1", 200, 200, 200), ("secretariat", 200, 200, 200), ("leader", 200, 404, 404),
    ("district2", 200, 200, 404), ("society1", 404, 404, 404), ("nobody", 404, 404, 404)])
def test_access(client, world, who, read, create, change):
    member = RosterMember.objects.create(programme=default_programme(), name="张辅导员", district=world["d1"])
    client.force_login(world[who])
    listing = client.get(reverse("activities:roster"))
    assert listing.status_code == read
    if read == 200:
        assert ("张辅导员" in listing.content.decode()) == (who != "district2")
    assert client.get(reverse("activities:roster_create")).status_code == create
    assert client.get(reverse("activities:roster_edit", args=[member.pk])).status_code == change
    deleted = client.post(reverse("activities:roster_delete", args=[member.pk]))
    assert deleted.status_code == (302 if change == 200 else 404)
    assert RosterMember.objects.filter(pk=member.pk).exists() == (change != 200)


def test_secretariat_chooses_the_district(client, world):
    client.force_login(world["secretariat"])
    assert client.post(reverse("activities:roster_create"),
                       member_data(district=world["d2"].pk)).status_code == 302
    assert RosterMember.objects.get().district == world["d2"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"trainings": "-1"}, "0"),
    ({"trainings": "10000001"}, "10,000,000"),
    ({"certified_on": "2999-01-01"}, "2100"),
    ({"certified_on": (TODAY + timedelta(days=2)).isoformat()}, "日期"),  # two days: TODAY is read at collection, maybe before midnight
    ({"name": ""}, "必填"),
])
def test_bad_input_is_refused_in_chinese(client, world, overrides, message):
    client.force_login(world["district1"])
    response = client.post(reverse("activities:roster_create"), member_data(**overrides))
    assert response.status_code == 400 and message in response.content.decode()
    assert not RosterMember.objects.exists()


def test_counts_per_district_on_the_roster_and_the_district_page(client, world):
    tutor = default_programme()
    other = Programme.objects.create(code="volunteer", name="科普志愿者")
    for index in range(3):
        RosterMember.objects.create(programme=tutor, name="甲{}".format(index), district=world["d1"],
                                    certified_on=TODAY)
    RosterMember.objects.create(programme=tutor, name="乙", district=world["d1"], certified_on=date(2001, 1, 1))
    RosterMember.objects.create(programme=other, name="丙", district=world["d1"])
    RosterMember.objects.create(programme=tutor, name="丁", district=world["d2"], certified_on=TODAY)
    counts = {row["name"]: (row["members"], row["certified"])
              for row in counts_by_district(SYSTEM, programme=tutor)}
    assert counts == {"市中区科协": (4, 3), "薛城区科协": (1, 1)}
    assert sum(row["members"] for row in counts_by_district(SYSTEM)) == RosterMember.objects.count() == 6
    # the district sees its own counts only
    assert [row["name"] for row in counts_by_district(world["district1"])] == ["市中区科协"]

    client.force_login(world["leader"])
    page = client.get(reverse("activities:roster"), {"programme": tutor.pk})
    assert [(row["name"], row["members"]) for row in page.context["counts"]] == [("市中区科协", 4), ("薛城区科协", 1)]
    district_page = client.get(reverse("societies:detail", args=["districts", world["d1"].pk]))
    panel = next(part for part in district_page.context["panels"] if part["template"].endswith("_roster.html"))
    assert [(row["name"], row["members"], row["certified"]) for row in panel["programmes"]] == [
        ("科技辅导员", 4, 3), ("科普志愿者", 1, 0)]
    assert 'id="district-roster"' in district_page.content.decode()


def test_roster_is_paginated(client, world):
    tutor = default_programme()
    RosterMember.objects.bulk_create([RosterMember(programme=tutor, name="辅导员{:03d}".format(index),
                                                   district=world["d1"]) for index in range(55)])
    client.force_login(world["district1"])
    first = client.get(reverse("activities:roster"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("activities:roster"), {"page": "2"})
    assert len(second.context["page"].object_list) == 5
    assert client.get(reverse("activities:roster"), {"page": "abc"}).status_code == 200
