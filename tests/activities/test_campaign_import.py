"""A campaign's per-town lines imported from Excel (one row per town or street): the lines replace the old ones and
the totals are their sums; header names may vary and merged title rows sit above the header; a bad file is refused
with Chinese messages naming row and column and nothing is written; only who may change the campaign may import."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities.models import Campaign, CampaignLine
from activities.reach import district_figures
from sanlian.access import SYSTEM

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def workbook(rows, *, title: str | None = None, merge_title: bool = False) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "科普月"
    if title:
        sheet.append([title])
        if merge_title:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("towns.xlsx", buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


GOOD = [["镇街", "场次", "参与人次", "学校数", "宣传品/文章"],
        ["光明路街道", 120, 15000, 8, 70],
        ["永安镇", 80, 9000, 5, 30],
        ["税郭镇", 40, "3,500", None, 12],
        [None, None, None, None, None],
        ["合计", 240, 27500, 13, 112]]


@pytest.fixture
def campaign(world):
    campaign = Campaign.objects.create(title="全国科普月", district=world["d1"], starts_on=date(YEAR, 1, 5),
                                       ends_on=date(YEAR, 1, 30), sessions=999, participants=99999, towns=1,
                                       schools=1, publicity=1)
    CampaignLine.objects.create(campaign=campaign, town="旧镇街", sessions=999, participants=99999)
    return campaign


def url(campaign) -> str:
    return reverse("activities:campaign_import", args=[campaign.pk])


def test_district_imports_towns_and_totals_equal_the_sum(client, world, campaign):
    client.force_login(world["district1"])
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert url(campaign) in page
    assert client.get(url(campaign)).status_code == 200
    response = client.post(url(campaign), {"file": workbook(GOOD)})
    assert response.status_code == 302
    campaign.refresh_from_db()
    lines = list(campaign.lines.order_by("id").values_list("town", "sessions", "participants", "schools",
                                                           "publicity"))
    assert lines == [("光明路街道", 120, 15000, 8, 70), ("永安镇", 80, 9000, 5, 30), ("税郭镇", 40, 3500, 0, 12)]
    assert (campaign.sessions, campaign.participants, campaign.schools, campaign.publicity) == tuple(
        sum(line[index] for line in lines) for index in range(1, 5)) == (240, 27500, 13, 112)
    assert campaign.towns == 3
    # the district's figures follow the imported lines
    assert district_figures(SYSTEM, world["d1"], year=YEAR)["sessions"] == 240


def test_variant_headers_under_a_merged_title_row(client, world, campaign):
    rows = [["序号", "镇（街道）", "活动场次（场）", "参与人数(人次)", "覆盖学校数（所）", "宣传品、文章（篇）", "备注"],
            [1, "龙山路街道", "60", 7000, 4, 20, ""],
            [2, "齐村镇", 30.0, 2000, 2, 5, "雨天顺延"]]
    client.force_login(world["district1"])
    response = client.post(url(campaign), {"file": workbook(rows, title="市中区2026年全国科普月活动统计表",
                                                            merge_title=True)}, follow=True)
    assert response.status_code == 200
    campaign.refresh_from_db()
    assert sorted(campaign.lines.values_list("town", "sessions", "participants", "schools", "publicity")) == [
        ("齐村镇", 30, 2000, 2, 5), ("龙山路街道", 60, 7000, 4, 20)]
    assert (campaign.sessions, campaign.participants, campaign.schools, campaign.publicity) == (90, 9000, 6, 25)
    # the ignored columns are named in a warning
    assert "备注" in response.content.decode()


def test_two_row_header_with_cells_merged_down(client, world, campaign):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年科技工作者日活动情况"])
    sheet.merge_cells("A1:D1")
    sheet.append(["镇街", "场次", "参与人次", "学校数"])
    sheet.append([None, None, None, None])
    for column in "ABCD":
        sheet.merge_cells("{0}2:{0}3".format(column))
    sheet.append(["永安镇", 5, 300, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(world["district1"])
    response = client.post(url(campaign), {"file": SimpleUploadedFile("towns.xlsx", buffer.getvalue())})
    assert response.status_code == 302
    assert list(campaign.lines.values_list("town", "sessions", "participants", "schools")) == [("永安镇", 5, 300, 1)]


@pytest.mark.parametrize(("rows", "messages"), [
    ([["镇街", "场次", "参与人次"], ["永安镇", "很多", 100], ["齐村镇", 10, -5]],
     ["第 2 行", "“场次”", "很多", "第 3 行", "“参与人次”", "-5"]),
    ([["镇街", "场次", "参与人次"], ["永安镇", 1, 100], ["永安镇", 2, 100]], ["第 3 行", "永安镇"]),
    ([["镇街", "场次", "参与人次"], [None, 3, 100]], ["第 2 行", "“镇街”"]),
    ([["镇街", "场次", "参与人次"], ["永安镇", 1, 10_000_001]], ["第 2 行", "10000001"]),
    ([["名称", "数量"], ["永安镇", 1]], ["场次", "参与人次"]),
])
def test_bad_file_is_refused_in_chinese_and_nothing_is_written(client, world, campaign, rows, messages):
    client.force_login(world["district1"])
    response = client.post(url(campaign), {"file": workbook(rows)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "工作簿未导入" in page
    for message in messages:
        assert message in page, message
    campaign.refresh_from_db()
    assert campaign.sessions == 999 and list(campaign.lines.values_list("town", flat=True)) == ["旧镇街"]


def test_not_a_workbook_is_refused(client, world, campaign):
    client.force_login(world["district1"])
    response = client.post(url(campaign), {"file": SimpleUploadedFile("towns.xlsx", "镇街,场次\n永安镇,1\n".encode())})
    assert response.status_code == 400 and "xlsx" in response.content.decode()
    assert campaign.lines.count() == 1


@pytest.mark.parametrize("who", ["district2", "society1", "leader", "nobody"])
def test_outsiders_get_404(client, world, campaign, who):
    client.force_login(world[who])
    assert client.get(url(campaign)).status_code == 404
    assert client.post(url(campaign), {"file": workbook(GOOD)}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.sessions == 999


def test_secretariat_imports_any_district_campaign(client, world, campaign):
    client.force_login(world["secretariat"])
    assert client.post(url(campaign), {"file": workbook(GOOD)}).status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).participants == 27500


def test_the_create_form_takes_the_towns_from_a_workbook(client, world):
    """A district enters a campaign and its per-town workbook in one form: the file's lines replace typed ones."""
    from tests.activities.test_campaigns import LINES, campaign_data

    client.force_login(world["district1"])
    page = client.get(reverse("activities:campaign_create")).content.decode()
    assert 'enctype="multipart/form-data"' in page and "各镇街明细 Excel" in page
    response = client.post(reverse("activities:campaign_create"),
                           {**campaign_data(LINES), "lines_file": workbook(GOOD)})
    assert response.status_code == 302
    campaign = Campaign.objects.get(title="全国科普月")
    assert campaign.district == world["d1"]
    assert sorted(campaign.lines.values_list("town", flat=True)) == ["光明路街道", "永安镇", "税郭镇"]
    assert (campaign.sessions, campaign.participants, campaign.schools, campaign.publicity) == (240, 27500, 13, 112)


def test_a_bad_workbook_refuses_the_whole_create_form(client, world):
    from tests.activities.test_campaigns import campaign_data

    client.force_login(world["district1"])
    bad = workbook([["镇街", "场次", "参与人次"], ["永安镇", "很多", 100]])
    response = client.post(reverse("activities:campaign_create"), {**campaign_data(), "lines_file": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 2 行" in page and "很多" in page and "全国科普月" in page  # the message, and the typed values kept
    assert not Campaign.objects.exists() and not CampaignLine.objects.exists()
