"""Campaigns (集中活动): entered by a district in one form with optional per-town lines (totals are their sums),
seen by the district, the secretariat and the leadership (others 404), and shown as reach figures on the
district's page, the dashboard and the half-yearly report."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Campaign, CampaignLine
from activities.reach import campaign_reach
from projects.choices import ReviewStatus
from reports.halfyear import collect, sections
from sanlian.access import SYSTEM

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def campaign_data(lines=(), **overrides) -> dict:
    data = {"title": "全国科普月", "starts_on": "{}-09-01".format(YEAR), "ends_on": "{}-09-30".format(YEAR),
            "scope": "全区11个镇街、75所中小学校", "sessions": "1200", "participants": "150000", "towns": "11",
            "schools": "75", "publicity": "800", "note": "",
            "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000"}
    for index, line in enumerate(lines):
        for key, value in line.items():
            data["lines-{}-{}".format(index, key)] = value
    data.update(overrides)
    return data


LINES = [{"town": "光明路街道", "sessions": "120", "participants": "15000", "schools": "8", "publicity": "70"},
         {"town": "永安镇", "sessions": "80", "participants": "9000", "schools": "5", "publicity": "30"}]


def test_district_enters_a_campaign_without_lines(client, world):
    client.force_login(world["district1"])
    assert client.get(reverse("activities:campaign_create")).status_code == 200
    response = client.post(reverse("activities:campaign_create"), campaign_data())
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.district, campaign.sessions, campaign.participants, campaign.towns, campaign.schools,
            campaign.publicity) == (world["d1"], 1200, 150000, 11, 75, 800)


def test_campaign_with_per_town_lines_totals_equal_the_sum(client, world):
    client.force_login(world["district1"])
    response = client.post(reverse("activities:campaign_create"), campaign_data(LINES, towns="2"))
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.sessions, campaign.participants, campaign.schools, campaign.publicity, campaign.towns) == (
        200, 24000, 13, 100, 2)
    assert campaign.lines.count() == 2
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "永安镇" in page and "24000" in page
    # edited: one line removed, the totals follow
    line = campaign.lines.get(town="永安镇")
    data = campaign_data([{"id": str(line.pk), "town": "永安镇", "sessions": "80", "participants": "9000",
                           "schools": "5", "publicity": "30", "DELETE": "on"}], **{"lines-INITIAL_FORMS": "1"})
    data.update({"lines-TOTAL_FORMS": "1"})
    client.post(reverse("activities:campaign_edit", args=[campaign.pk]), data)
    campaign.refresh_from_db()
    # no line left: the figures stay as entered in the form
    assert (campaign.sessions, CampaignLine.objects.count()) == (1200, 0)


@pytest.mark.parametrize(("data", "message"), [
    (campaign_data(sessions="-1"), "0"),
    (campaign_data(ends_on="{}-08-01".format(YEAR)), "最后一天不能早于第一天"),
    (campaign_data(LINES + [dict(LINES[0])]), "每个镇街只能出现一次"),
    (campaign_data([{"town": "永安镇", "sessions": "很多", "participants": "", "schools": "", "publicity": ""}]),
     "整数"),
    (campaign_data(title=""), "必填"),
])
def test_bad_campaign_input_is_refused_in_chinese(client, world, data, message):
    client.force_login(world["district1"])
    response = client.post(reverse("activities:campaign_create"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Campaign.objects.exists() and not CampaignLine.objects.exists()


@pytest.mark.parametrize(("who", "read", "change"), [
    ("district1", 200, 302), ("district1_colleague", 200, 302), ("secretariat", 200, 302), ("leader", 200, 404),
    ("district2", 404, 404), ("society1", 404, 404), ("nobody", 404, 404)])
def test_campaign_scope(client, world, who, read, change):
    campaign = Campaign.objects.create(title="全国科技工作者日", district=world["d1"], starts_on=date(YEAR, 5, 20),
                                       ends_on=date(YEAR, 5, 31), sessions=110, participants=200)
    client.force_login(world[who])
    assert client.get(campaign.get_absolute_url()).status_code == read
    data = campaign_data(title="改名", district=world["d1"].pk)
    assert client.post(reverse("activities:campaign_edit", args=[campaign.pk]), data).status_code == change
    listed = client.get(reverse("activities:campaigns"))
    assert ("全国科技工作者日" in listed.content.decode() or "改名" in listed.content.decode()) is (read == 200)
    if who in ("leader", "society1", "nobody"):
        assert client.get(reverse("activities:campaign_create")).status_code == 404


def test_reach_on_the_district_page_dashboard_and_half_year_report(client, world):
    Campaign.objects.create(title="全国科普月", district=world["d1"], starts_on=date(YEAR, 1, 5),
                            ends_on=date(YEAR, 1, 30), sessions=1200, participants=150000, towns=11, schools=75,
                            publicity=800)
    Campaign.objects.create(title="全国科技工作者日", district=world["d1"], starts_on=date(YEAR, 1, 6),
                            ends_on=date(YEAR, 1, 28), sessions=110, participants=200)
    Campaign.objects.create(title="别区", district=world["d2"], starts_on=date(YEAR, 1, 5), ends_on=date(YEAR, 1, 6),
                            sessions=7)
    from activities.models import OwnActivity
    OwnActivity.objects.create(title="社区科普馆主题展览", district=world["d1"], held_on=date(YEAR, 1, 7),
                               participants=700, review=ReviewStatus.CONFIRMED)
    reach = campaign_reach(SYSTEM, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), district=world["d1"])
    assert reach == {"campaigns": 2, "sessions": 1310, "participants": 150200, "towns": 11, "schools": 75,
                     "publicity": 800}
    client.force_login(world["district1"])
    page = client.get(reverse("societies:detail", args=["districts", world["d1"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="sessions">1310<' in html and 'data-figure="participants">150900<' in html
    assert "社区科普馆主题展览" in html
    client.force_login(world["leader"])
    dashboard = client.get(reverse("reports:dashboard"), {"year": str(YEAR)})
    rows = {row["name"]: row for row in dashboard.context["reach"]}
    assert (rows["市中区科协"]["sessions"], rows["市中区科协"]["activities"], rows["薛城区科协"]["sessions"]) == (
        1310, 1, 7)
    # the cached dashboard follows a new campaign
    Campaign.objects.create(title="科技活动周", district=world["d2"], starts_on=date(YEAR, 1, 9),
                            ends_on=date(YEAR, 1, 10), sessions=3)
    dashboard = client.get(reverse("reports:dashboard"), {"year": str(YEAR)})
    assert {row["name"]: row for row in dashboard.context["reach"]}["薛城区科协"]["sessions"] == 10
    # a district's dashboard shows its own reach only
    client.force_login(world["district2"])
    assert [row["name"] for row in client.get(reverse("reports:dashboard")).context["reach"]] == ["薛城区科协"]
    data = collect("{}H1".format(YEAR))
    title, header, table = next(part for part in sections(data) if "集中活动" in part[0])
    assert ["市中区科协", 2, 1310, 150200, 11, 75, 800, 1, 700] in table


def test_district_report_equals_the_district_page(client, world, capsys):
    import json
    import re

    from django.core.management import CommandError, call_command

    from activities.models import OwnActivity, Venue, VenueKind
    from tests import factories

    Campaign.objects.create(title="全国科普月", district=world["d1"], starts_on=date(YEAR, 1, 5),
                            ends_on=date(YEAR, 1, 30), sessions=1200, participants=150000, towns=11, schools=75,
                            publicity=800)
    OwnActivity.objects.create(title="社区科普馆主题展览", district=world["d1"], held_on=date(YEAR, 1, 7),
                               participants=700, expert_person_times=3, review=ReviewStatus.CONFIRMED)
    OwnActivity.objects.create(title="待确认", district=world["d1"], held_on=date(YEAR, 1, 8), participants=99)
    kind = VenueKind.objects.get(code="enterprise_association")
    Venue.objects.create(name="杰诺生物酶企业科协", kind=kind, district=world["d1"], founded_on=date(YEAR, 1, 2))
    Venue.objects.create(name="老场馆", kind=kind, district=world["d1"], founded_on=date(YEAR - 3, 1, 2))
    factories.project(society=world["s1"], districts=[world["d1"]], year=YEAR)
    call_command("district_report", "--district", "市中区科协", "--year", str(YEAR), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report == {"district": "市中区科协", "year": YEAR, "activities": 1, "participants": 150700,
                      "campaigns": 1, "sessions": 1200, "towns": 11, "schools": 75, "publicity": 800, "venues": 2,
                      "new_venues": 1, "experts": 3, "projects": 1}
    client.force_login(world["district1"])
    html = client.get(reverse("societies:detail", args=["districts", world["d1"].pk])).content.decode()
    shown = dict(re.findall(r'data-figure="(\w+)">(\d+)<', html))
    assert {key: int(value) for key, value in shown.items()} == {
        key: value for key, value in report.items() if key not in ("district", "year")}
    for arguments, message in ((["--district", "不存在区", "--year", str(YEAR)], "没有名为“不存在区”的区（市）科协"),
                               (["--district", "市中区科协", "--year", "19"], "年份须在 2000 到 2100 之间"),
                               (["--district", "市中区科协", "--year", "abc"], "2000")):
        with pytest.raises(CommandError, match=message):
            call_command("district_report", *arguments)
