"""The 台账 workbook of the project list: the list's rows (filters and access kept), each project's figures, and a
cost that does not grow with the number of projects."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.choices import DecisionStatus
from meetings.models import Decision, JointMeeting
from projects.choices import ProjectStatus, ReviewStatus
from projects.models import ActivityOutcome, Project
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


def ledger(client, params=None) -> list[tuple]:
    response = client.get(reverse("reports:project_ledger"), params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def titles(rows) -> list[str]:
    return [row[3] for row in rows[1:]]


@pytest.fixture
def world():
    own, other = factories.society("市老科协"), factories.society("市医学会")
    district = factories.district("滕州市科协")
    today = timezone.localdate()
    late = factories.project(society=own, title="老专家滕州行", districts=[district], due_text="上月",
                             due_start=today - timedelta(days=40), due_end=today - timedelta(days=10),
                             status=ProjectStatus.IN_PROGRESS)
    done = factories.project(society=own, title="乡村振兴培训", due_end=today - timedelta(days=5),
                             status=ProjectStatus.DONE)
    foreign = factories.project(society=other, title="护士节科普", districts=[district], due_end=today + timedelta(days=30))
    factories.progress_update(late, happened_on=today - timedelta(days=3), text="=已完成场地落实")
    factories.progress_update(late, happened_on=today - timedelta(days=20), text="早先的进展")
    for participants, review in ((120, ReviewStatus.CONFIRMED), (30, ReviewStatus.CONFIRMED),
                                 (999, ReviewStatus.PENDING)):
        ActivityOutcome.objects.create(project=late, held_on=today, title="活动", participants=participants,
                                       review=review)
    return {"own": own, "other": other, "district": district, "late": late, "done": done, "foreign": foreign}


def test_ledger_rows_equal_the_filtered_list_and_carry_each_projects_figures(client, world):
    client.force_login(factories.user(Role.SECRETARIAT))
    rows = ledger(client, {"society": world["own"].pk})
    listed = client.get(reverse("projects:list"), {"society": world["own"].pk}).context["projects"]
    assert titles(rows) == [project.title for project in listed] == ["老专家滕州行", "乡村振兴培训"]
    header = rows[0]
    assert header[:5] == ("序号", "年度", "市级学会", "项目名称", "状态")
    late = dict(zip(header, rows[1]))
    assert late["逾期天数"] == 10
    assert late["最新进展"] == "'=已完成场地落实"  # guarded against formula injection
    assert late["最新进展日期"].date() == timezone.localdate() - timedelta(days=3)
    assert late["活动成效（已确认）"] == 2 and late["参与人次"] == 150
    done = dict(zip(header, rows[2]))
    assert done["逾期天数"] is None and done["活动成效（已确认）"] == 0 and done["最新进展"] is None


def test_ledger_keeps_the_status_and_overdue_filters(client, world):
    client.force_login(factories.user(Role.LEADER))
    assert titles(ledger(client, {"overdue": "on"})) == ["老专家滕州行"]
    assert titles(ledger(client, {"status": ProjectStatus.DONE})) == ["乡村振兴培训"]
    assert titles(ledger(client, {"district": world["district"].pk})) == ["老专家滕州行", "护士节科普"]


def test_ledger_of_a_society_contact_leaves_out_other_societies_projects(client, world):
    client.force_login(factories.user(Role.SOCIETY, society=world["own"]))
    assert titles(ledger(client)) == ["老专家滕州行", "乡村振兴培训"]
    client.force_login(factories.user(Role.DISTRICT, district=world["district"]))
    assert titles(ledger(client)) == ["老专家滕州行", "护士节科普"]


def test_ledger_of_a_user_without_a_role_is_empty(client, world):
    client.force_login(factories.user(Role.SOCIETY, society=factories.society()))
    assert titles(ledger(client)) == []


def test_ledger_counts_the_societys_open_decisions(client, world):
    meeting = JointMeeting.objects.create(half="2024H1", held_on=date(2024, 6, 1))
    Decision.objects.create(meeting=meeting, text="落实场地", society=world["own"])
    Decision.objects.create(meeting=meeting, text="已办", society=world["own"], status=DecisionStatus.DONE)
    Decision.objects.create(meeting=meeting, text="别家的", society=world["other"])
    Decision.objects.create(meeting=meeting, text="别家的第二件", society=world["other"])
    client.force_login(factories.user(Role.LEADER))
    rows = ledger(client)
    figures = {row[3]: row[12] for row in rows[1:]}
    assert figures == {"老专家滕州行": 1, "乡村振兴培训": 1, "护士节科普": 2}


def test_ledger_query_count_is_the_same_at_two_sizes(client):
    society = factories.society()
    client.force_login(factories.user(Role.LEADER))
    counts = []
    for total in (3, 60):
        while Project.objects.count() < total:
            project = factories.project(society=society)
            factories.progress_update(project, happened_on=date(2024, 5, 2))
            ActivityOutcome.objects.create(project=project, held_on=date(2024, 5, 2), title="活动", participants=5,
                                           review=ReviewStatus.CONFIRMED)
        client.get(reverse("reports:project_ledger"))
        with CaptureQueriesContext(connection) as captured:
            rows = ledger(client)
        assert len(rows) == total + 1
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("params", [{"year": "abc"}, {"society": "999999"}, {"status": "nonsense"},
                                    {"district": "x"}, {"q": "老专家 " * 50}])
def test_ledger_with_bad_filters_never_fails(client, world, params):
    client.force_login(factories.user(Role.LEADER))
    response = client.get(reverse("reports:project_ledger"), params)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        openpyxl.load_workbook(io.BytesIO(response.content))
