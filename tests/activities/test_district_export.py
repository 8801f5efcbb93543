"""The district page's year as Excel: opened with openpyxl, its overview equals ``district_report`` (the page's
figures), the sheets list what the page lists, and only who may see the page may download it (others 404)."""

import io
import json
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities.models import Campaign, CampaignLine, OwnActivity, RosterMember, Venue, VenueKind
from activities.people import default_programme
from projects.choices import ReviewStatus
from tests import factories

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def year_of_work(world):
    campaign = Campaign.objects.create(title="全国科普月", district=world["d1"], starts_on=date(YEAR, 1, 5),
                                       ends_on=date(YEAR, 1, 30), sessions=200, participants=24000, towns=2,
                                       schools=13, publicity=100)
    CampaignLine.objects.create(campaign=campaign, town="永安镇", sessions=80, participants=9000, schools=5,
                                publicity=30)
    CampaignLine.objects.create(campaign=campaign, town="光明路街道", sessions=120, participants=15000, schools=8,
                                publicity=70)
    Campaign.objects.create(title="别区科普月", district=world["d2"], starts_on=date(YEAR, 1, 5),
                            ends_on=date(YEAR, 1, 30), sessions=7, participants=7)
    kind = VenueKind.objects.get(code="enterprise_association")
    venue = Venue.objects.create(name="杰诺生物酶企业科协", kind=kind, district=world["d1"],
                                 founded_on=date(YEAR, 1, 2))
    OwnActivity.objects.create(title="社区科普馆主题展览", district=world["d1"], held_on=date(YEAR, 1, 7), venue=venue,
                               participants=700, expert_person_times=3, review=ReviewStatus.CONFIRMED)
    OwnActivity.objects.create(title="待确认活动", district=world["d1"], held_on=date(YEAR, 1, 8), participants=99)
    factories.project(society=world["s1"], title="联系区项目", districts=[world["d1"]], year=YEAR)
    factories.project(society=world["s1"], title="别区项目", districts=[world["d2"]], year=YEAR)
    RosterMember.objects.create(programme=default_programme(), name="王老师", district=world["d1"],
                                certified_on=date(YEAR, 1, 3))


def download(client, world, who="district1"):
    client.force_login(world[who])
    return client.get(reverse("activities:district_xlsx", args=[world["d1"].pk]), {"year": str(YEAR)})


def test_workbook_overview_equals_district_report(client, world, year_of_work, capsys):
    response = download(client, world)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    overview = {row[2]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    call_command("district_report", "--district", "市中区科协", "--year", str(YEAR), "--json")
    report = json.loads(capsys.readouterr().out)
    assert {key: overview[key] for key in report} == report
    assert report["participants"] == 24700 and report["activities"] == 1
    # the lists the page shows
    activities = [row[1] for row in book["自主活动"].iter_rows(min_row=2, values_only=True)]
    assert activities == ["社区科普馆主题展览", "待确认活动"]  # by date
    campaigns = list(book["集中活动"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in campaigns] == ["全国科普月"]
    assert sum(row[5] for row in campaigns) == report["participants"] - 700
    lines = list(book["分镇街明细"].iter_rows(min_row=2, values_only=True))
    assert sum(row[2] for row in lines) == report["sessions"]
    assert [row[0] for row in book["基地与场馆"].iter_rows(min_row=2, values_only=True)] == ["杰诺生物酶企业科协"]
    assert [row[:3] for row in book["人才名册"].iter_rows(min_row=2, values_only=True)] == [("科技辅导员", 1, 1)]
    assert [row[0] for row in book["重点项目"].iter_rows(min_row=2, values_only=True)] == ["联系区项目"]


def test_district_page_links_the_export_and_a_print_stylesheet(client, world, year_of_work):
    client.force_login(world["district1"])
    page = client.get(reverse("societies:detail", args=["districts", world["d1"].pk])).content.decode()
    assert reverse("activities:district_xlsx", args=[world["d1"].pk]) in page
    assert 'media="print"' in page and "print" in page
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/print.css"), encoding="utf-8").read()
    assert "@media print" in css and "A4" in css


@pytest.mark.parametrize(("who", "status"), [("district1", 200), ("secretariat", 200), ("leader", 200),
                                             ("district2", 404), ("society1", 404), ("nobody", 404)])
def test_same_access_as_the_page(client, world, year_of_work, who, status):
    assert download(client, world, who).status_code == status
    page = client.get(reverse("societies:detail", args=["districts", world["d1"].pk]))
    assert page.status_code == status


def test_bad_year_falls_back_and_unknown_district_is_404(client, world, year_of_work):
    client.force_login(world["secretariat"])
    assert client.get(reverse("activities:district_xlsx", args=[world["d1"].pk]), {"year": "abc"}).status_code == 200
    assert client.get(reverse("activities:district_xlsx", args=[999999])).status_code == 404
