"""Paper: the A4 print style sheet on the project page, the project list and the dashboard (menu, footer and
buttons hidden, the date printed, a page break between societies), and a society's printable one-page summary."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.choices import DecisionStatus
from meetings.models import Decision, JointMeeting
from projects.choices import ProjectStatus, ReviewStatus
from projects.models import ActivityOutcome, Project
from reports.targets import load_targets
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db
PRINT_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "print.css"


def test_print_style_sheet_is_a4_without_menu_footer_or_buttons():
    css = PRINT_CSS.read_text(encoding="utf-8")
    assert re.search(r"@page\s*{[^}]*size:\s*A4", css)
    printed = css[css.index("@media print"):]
    hidden = printed[:printed.index("display: none !important")]
    for selector in (".site-header", ".site-footer", ".main-nav", ".button", "button", ".filters", ".pager"):
        assert re.search(r"(^|[\s,]){}([\s,]|$)".format(re.escape(selector)), hidden), selector
    assert ".print-only { display: block !important; }" in printed
    assert re.search(r"\.society-start[^{]*{\s*break-before: page", printed)


@pytest.fixture
def world():
    own, other = factories.society("市老科协"), factories.society("市医学会")
    today = timezone.localdate()
    first = factories.project(society=own, title="老专家滕州行", year=today.year, due_end=today - timedelta(days=4),
                              status=ProjectStatus.IN_PROGRESS)
    factories.project(society=own, title="乡村振兴培训", year=today.year, due_end=today + timedelta(days=9))
    factories.project(society=own, title="去年的项目", year=today.year - 1)
    factories.project(society=other, title="护士节科普", year=today.year)
    factories.progress_update(first, happened_on=today - timedelta(days=2), text="已联系三家企业")
    ActivityOutcome.objects.create(project=first, held_on=today, title="活动", participants=80,
                                   review=ReviewStatus.CONFIRMED)
    meeting = JointMeeting.objects.create(half="{}H1".format(today.year), held_on=date(today.year, 1, 20))
    Decision.objects.create(meeting=meeting, text="报送半年总结", society=own, deadline=today)
    Decision.objects.create(meeting=meeting, text="已办结事项", society=own, status=DecisionStatus.DONE)
    Decision.objects.create(meeting=meeting, text="别家的事项", society=other)
    return {"own": own, "other": other, "first": first, "today": today}


@pytest.mark.parametrize("page", ["projects:list", "projects:detail", "reports:dashboard"])
def test_pages_print_with_the_print_style_sheet_and_the_date(client, world, page):
    load_targets()
    client.force_login(factories.user(Role.LEADER))
    url = reverse(page, args=[world["first"].pk]) if page == "projects:detail" else reverse(page)
    html = client.get(url).content.decode()
    assert re.search(r'<link rel="stylesheet" href="/static/css/print\.css[^"]*" media="print">', html)
    assert '<p class="print-only print-date">打印日期 {}'.format(world["today"].isoformat()) in html


def test_project_list_breaks_the_page_where_a_new_society_starts(client, world):
    client.force_login(factories.user(Role.LEADER))
    html = client.get(reverse("projects:list"), {"year": world["today"].year}).content.decode()
    rows = re.findall(r"<tr( class=\"society-start\")?>\s*<td[^>]*>(?:<input[^>]*></td>\s*<td[^>]*>)?\d{4}</td>\s*<td[^>]*>([^<]+)</td>", html)
    assert [(bool(mark), name) for mark, name in rows] == [(False, "市老科协"), (False, "市老科协"), (True, "市医学会")]


def test_dashboard_societies_and_districts_print_on_their_own_pages(client, world):
    load_targets()
    client.force_login(factories.user(Role.LEADER))
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert re.findall(r'<h2 class="print-break">([^<]+)</h2>', html) == ["市级学会", "区、市科协"]


def summary_url(society) -> str:
    return reverse("reports:society_summary", args=[society.pk])


def test_one_page_summary_shows_the_societys_projects_progress_outcomes_and_open_decisions(client, world):
    client.force_login(factories.user(Role.SOCIETY, society=world["own"]))
    page = client.get(summary_url(world["own"]))
    assert page.status_code == 200
    html = page.content.decode()
    summary = page.context["summary"]
    assert [p.title for p in summary.projects] == ["老专家滕州行", "乡村振兴培训"]  # the latest year only
    assert summary.overdue == 1 and summary.outcomes == 1 and summary.participants == 80
    assert [d.text for d in summary.decisions] == ["报送半年总结"]
    for text in ("市老科协 · 一页纸", "已联系三家企业", "推进中", "逾期 4 天", "报送半年总结", 'data-print'):
        assert text in html, text
    assert "护士节科普" not in html and "已办结事项" not in html and "别家的事项" not in html
    assert page.context["summary"].instructions == [] and "没有未办结的领导批示" in html
    from projects.instructions import write_instruction
    project = Project.objects.get(title="老专家滕州行")
    write_instruction(project, user=factories.user(Role.LEADER), text="请加快推进")
    html = client.get(summary_url(world["own"])).content.decode()
    assert "未办结的领导批示" in html and "请加快推进" in html
    earlier = client.get(summary_url(world["own"]), {"year": world["today"].year - 1}).context["summary"]
    assert [p.title for p in earlier.projects] == ["去年的项目"]


def test_one_page_summary_is_linked_from_the_society_page(client, world):
    client.force_login(factories.user(Role.SOCIETY, society=world["own"]))
    html = client.get(reverse("societies:detail", args=["societies", world["own"].pk])).content.decode()
    assert 'href="{}"'.format(summary_url(world["own"])) in html and "一页纸" in html
    district = factories.district()
    client.force_login(factories.user(Role.SECRETARIAT))
    html = client.get(reverse("societies:detail", args=["districts", district.pk])).content.decode()
    assert "one-page" not in html


@pytest.mark.parametrize(("who", "status"), [("secretariat", 200), ("leader", 200), ("own", 200), ("outsider", 404),
                                             ("district", 404)])
def test_one_page_summary_access_follows_the_society_page(client, world, who, status):
    users = {"secretariat": lambda: factories.user(Role.SECRETARIAT), "leader": lambda: factories.user(Role.LEADER),
             "own": lambda: factories.user(Role.SOCIETY, society=world["own"]),
             "outsider": lambda: factories.user(Role.SOCIETY, society=world["other"]),
             "district": lambda: factories.user(Role.DISTRICT, district=factories.district())}
    client.force_login(users[who]())
    assert client.get(summary_url(world["own"])).status_code == status
    page = client.get(reverse("societies:detail", args=["societies", world["own"].pk]))
    assert page.status_code == status


def test_one_page_summary_of_an_unknown_society_is_not_found(client, world):
    client.force_login(factories.user(Role.LEADER))
    assert client.get(reverse("reports:society_summary", args=[999999])).status_code == 404
    client.logout()
    assert client.get(summary_url(world["own"])).status_code == 302


def test_one_page_summary_query_count_does_not_grow(client, world):
    client.force_login(factories.user(Role.LEADER))
    counts = []
    for total in (3, 40):
        while Project.objects.filter(society=world["own"], year=world["today"].year).count() < total:
            project = factories.project(society=world["own"], year=world["today"].year)
            factories.progress_update(project, happened_on=world["today"])
        client.get(summary_url(world["own"]))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(summary_url(world["own"])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("year", ["abc", "99999", "-1", "２０２４"])
def test_one_page_summary_with_a_bad_year_shows_the_latest_year(client, world, year):
    client.force_login(factories.user(Role.LEADER))
    page = client.get(summary_url(world["own"]), {"year": year})
    assert page.status_code == 200
    assert page.context["summary"].year in (world["today"].year, 2024)
