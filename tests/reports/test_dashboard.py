"""The dashboard, its drill-down and export, records and their confirmation, through the HTTP client."""

import io
import re
from datetime import date

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.choices import ReviewStatus
from projects.models import ActivityOutcome, Project
from reports.models import OrganisationRecord
from reports.demo import seed_demo
from reports.targets import target_status
from sanlian.access import SYSTEM
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(targets):
    seed_demo(projects=12, seed=3)
    year = timezone.localdate().year
    society = Project.objects.filter(year=year).first().society
    district = Project.objects.filter(year=year).first().districts.first()
    return {
        "year": year,
        "leader": factories.user(Role.LEADER), "secretariat": factories.user(Role.SECRETARIAT),
        "society": factories.user(Role.SOCIETY, society=society),
        "district": factories.user(Role.DISTRICT, district=district),
        "nobody": factories.user(Role.SOCIETY),
    }


def test_dashboard_numbers_match_target_status_and_drill_down(client, demo):
    client.force_login(demo["leader"])
    page = client.get(reverse("reports:dashboard"))
    assert page.status_code == 200
    shown = {target.code: target.value for target in page.context["targets"]}
    expected = {status.code: status.value for status in target_status(year=demo["year"], user=SYSTEM)}
    assert shown == expected
    html = page.content.decode()
    assert 'id="dashboard-data"' in html and "vendor/echarts/echarts.common.min.js" in html
    assert "进度判断规则" in html
    for code, value in shown.items():
        drill = client.get(reverse("reports:target", args=[code]), {"year": demo["year"]})
        assert drill.status_code == 200 and drill.context["value"] == value


def test_dashboard_for_a_district_shows_its_slice(client, demo):
    client.force_login(demo["district"])
    page = client.get(reverse("reports:dashboard"))
    names = {row["name"] for row in page.context["districts"]}
    assert names == {demo["district"].profile.district.name}
    served = {t.code: t.value for t in page.context["targets"]}["T3-served"]
    assert served == {s.code: s.value for s in target_status(year=demo["year"], user=demo["district"])}["T3-served"]


def test_dashboard_unknown_role_is_not_found(client, demo):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("stranger"))
    assert client.get(reverse("reports:dashboard")).status_code == 404
    assert client.get(reverse("reports:target", args=["T1-members"])).status_code == 404


def test_dashboard_bad_year_falls_back_and_unknown_target_is_404(client, demo):
    client.force_login(demo["leader"])
    assert client.get(reverse("reports:dashboard"), {"year": "abc"}).status_code == 200
    assert client.get(reverse("reports:target", args=["nope"])).status_code == 404


def test_dashboard_export_is_formula_safe_and_scoped(client, demo):
    Project.objects.filter(year=demo["year"]).update(title="=HYPERLINK(1)")
    client.force_login(demo["leader"])
    response = client.get(reverse("reports:dashboard_export"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["目标任务", "市级学会", "区、市科协"]
    targets = book["目标任务"]
    assert targets["A1"].value == "目标" and targets.freeze_panes == "A2" and targets.max_row == 13
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_dashboard_query_count_does_not_grow(client, targets, settings):
    leader = factories.user(Role.LEADER)
    client.force_login(leader)
    counts = []
    for size in (10, 60):
        seed_demo(projects=size, seed=5)
        client.get(reverse("reports:dashboard"))
        cache.clear()  # count the queries of computing the numbers, not of a cached page
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports:dashboard")).status_code == 200
        counts.append(len(captured))
    # the targets (one query per source, one UNION per distinct rule), rankings, the most recent year (cached), the
    # 批示 counts, and the 需求对接 section (its needs and enterprises served)
    assert counts[0] == counts[1] and counts[0] <= 32


def test_seed_demo_is_deterministic_and_refuses_real_data(targets):
    first = seed_demo(projects=20, seed=7)
    titles = list(Project.objects.order_by("position").values_list("title", "status"))
    outcomes = list(ActivityOutcome.objects.order_by("held_on", "participants").values_list("held_on", "participants"))
    assert seed_demo(projects=20, seed=7) == first
    assert list(Project.objects.order_by("position").values_list("title", "status")) == titles
    assert list(ActivityOutcome.objects.order_by("held_on", "participants").values_list(
        "held_on", "participants")) == outcomes
    factories.project(title="真实项目")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="已有真实项目"):
        call_command("seed_demo", "--projects", "5")
    call_command("seed_demo", "--projects", "5", "--force")
    assert Project.objects.filter(title="真实项目").exists()


def test_record_entered_by_a_society_waits_for_confirmation(client, demo):
    society = demo["society"].profile.society
    client.force_login(demo["society"])
    response = client.post(reverse("reports:record_create"), {
        "kind": "member_intake", "happened_on": date.today().isoformat(), "title": "新会员", "society": society.pk,
        "count": "35"})
    assert response.status_code == 302
    record = OrganisationRecord.objects.get(title="新会员")
    assert record.review == ReviewStatus.PENDING and record.entered_by == demo["society"]
    before = {s.code: s.value for s in target_status(year=demo["year"], user=SYSTEM)}["T1-members"]
    client.force_login(demo["secretariat"])
    assert client.post(reverse("reports:review", args=["record", record.pk]), {"decision": "confirm"}).status_code == 302
    after = {s.code: s.value for s in target_status(year=demo["year"], user=SYSTEM)}["T1-members"]
    assert after == before + 35


def test_record_for_another_society_is_refused(client, demo):
    other = factories.society("市外学会")
    client.force_login(demo["society"])
    response = client.post(reverse("reports:record_create"), {
        "kind": "member_intake", "happened_on": "2025-01-01", "title": "越权", "society": other.pk, "count": "3"})
    assert response.status_code == 400 and not OrganisationRecord.objects.filter(title="越权").exists()


@pytest.mark.parametrize("field,value", [("happened_on", "2025-13-01"), ("count", "-4"), ("kind", "planet")])
def test_record_bad_input_is_a_form_error(client, demo, field, value):
    client.force_login(demo["secretariat"])
    data = {"kind": "training", "happened_on": "2025-01-01", "title": "坏数据", "count": "1"}
    data[field] = value
    response = client.post(reverse("reports:record_create"), data)
    assert response.status_code == 400 and "未保存任何内容" in response.content.decode()
    assert not OrganisationRecord.objects.filter(title="坏数据").exists()


def test_records_of_others_are_not_found_and_review_is_the_secretariats(client, demo):
    record = OrganisationRecord.objects.exclude(society=demo["society"].profile.society).exclude(
        society__isnull=True).first()
    client.force_login(demo["society"])
    assert client.get(reverse("reports:record", args=[record.pk])).status_code == 404
    assert client.post(reverse("reports:review", args=["record", record.pk]), {"decision": "reject"}).status_code == 404
    assert client.get(reverse("reports:review_queue")).status_code == 404
    client.force_login(demo["leader"])
    assert client.get(reverse("reports:record", args=[record.pk])).status_code == 200
    assert client.post(reverse("reports:review", args=["record", record.pk]), {"decision": "reject"}).status_code == 404
    record.refresh_from_db()
    assert record.review == ReviewStatus.CONFIRMED


def test_dashboard_cache_follows_a_confirmation_and_an_import(client, demo):
    client.force_login(demo["leader"])

    def served():
        html = client.get(reverse("reports:dashboard")).content.decode()  # the rendered (cached) table
        return int(re.search(r'data-code="T4-joint-activities">.*?class="value">(\d+)<', html, re.S).group(1))

    before = served()
    project = Project.objects.filter(year=demo["year"]).first()
    made = ActivityOutcome.objects.create(project=project, held_on=timezone.localdate(), title="新活动",
                                          kind="popularisation", review=ReviewStatus.PENDING)
    assert served() == before
    client.force_login(demo["secretariat"])
    client.post(reverse("reports:review", args=["outcome", made.pk]), {"decision": "confirm"})
    client.force_login(demo["leader"])
    assert served() == before + 1


def test_rankings_count_overdue_projects_in_the_status_query(demo):
    from collections import Counter

    from projects.models import ProjectDistrict
    from reports.dashboard import district_ranking, society_ranking

    year, as_of = demo["year"], date(demo["year"], 9, 30)
    late = Project.objects.filter(year=year).overdue(as_of)
    assert late.exists() and late.count() < Project.objects.filter(year=year).count()
    expected = Counter(late.values_list("society_id", flat=True))
    ranking = society_ranking(year=year, user=SYSTEM, as_of=as_of)
    assert {row["society_id"]: row["overdue"] for row in ranking} == {
        row["society_id"]: expected.get(row["society_id"], 0) for row in ranking}
    expected = Counter(ProjectDistrict.objects.filter(project__in=late).values_list("district_id", flat=True))
    ranking = district_ranking(year=year, user=SYSTEM, as_of=as_of)
    assert {row["district_id"]: row["overdue"] for row in ranking} == {
        row["district_id"]: expected.get(row["district_id"], 0) for row in ranking}


def test_an_unknown_sort_is_not_kept_in_the_cache_key(client):
    client.force_login(factories.user(Role.LEADER))
    response = client.get(reverse("reports:dashboard"), {"sort": "x" * 300 + "\x00"})
    assert response.status_code == 200
    assert response.context["sort"] == "outcomes" and "xxx" not in response.context["cache_key"]


def test_dashboard_opens_on_the_most_recent_year_with_projects(client, targets):
    leader = factories.user(Role.LEADER)
    factories.project(year=2024, title="二〇二四年项目")
    client.force_login(leader)
    assert client.get(reverse("reports:dashboard")).context["year"] == 2024
    page = client.get(reverse("reports:dashboard"), {"year": "abc"})
    assert page.context["year"] == 2024 and "已显示最近有项目的年度" in page.content.decode()
    assert client.get(reverse("reports:dashboard"), {"year": "2023"}).context["year"] == 2023


def test_the_city_association_is_not_ranked_as_a_district(client, targets):
    city, town = factories.district("枣庄市科协", is_city=True), factories.district("滕州市科协")
    factories.project(year=2024, districts=[city, town])
    client.force_login(factories.user(Role.LEADER))
    page = client.get(reverse("reports:dashboard"), {"year": "2024"})
    assert [row["name"] for row in page.context["districts"]] == ["滕州市科协"]


def test_while_one_request_computes_the_numbers_the_others_are_given_the_last_ones(client, demo):
    from reports import dashboard

    client.force_login(demo["leader"])
    url = reverse("reports:dashboard")
    old_key = client.get(url).context["cache_key"]
    dashboard.invalidate_dashboard()  # a change: the numbers are stale
    today = timezone.localdate()
    fresh = dashboard.dashboard_key(year=demo["year"], as_of=today, user=demo["leader"])
    cache.add(fresh + ":computing", 1, 60)  # another request is computing them right now
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200 and page.context["cache_key"] == old_key
    assert not any("projects_activityoutcome" in query["sql"] for query in captured.captured_queries)
    cache.delete(fresh + ":computing")  # that request is done, or gave up: the next one computes
    assert client.get(url).context["cache_key"].startswith(fresh)


@pytest.mark.postgresql
def test_a_demo_seed_refreshes_the_planners_statistics(django_capture_on_commit_callbacks, targets):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (its planner plans from statistics; SQLite's keeps none to refresh)")
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo(projects=12, seed=3)
    with connection.cursor() as cursor:  # ANALYZE writes pg_class.reltuples (-1: never analysed)
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'projects_activityoutcome'")
        assert cursor.fetchone()[0] > 0
