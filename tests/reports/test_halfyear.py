"""The half-yearly report: the build_report contract, both files read back, snapshots, access, the real worker."""

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from meetings.choices import MeetingStatus
from meetings.models import Decision, JointMeeting
from projects.models import ActivityOutcome, Project
from projects.importing import import_annex
from reports.models import ReportBuild
from reports.builds import run_build
from societies.choices import Role
from tests import factories
from tests.projects.conftest import stack, wait_for  # noqa: F401 (the real-worker fixture)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def year_2024(targets):
    import_annex(ROOT / "fixtures" / "annex-2024.xlsx")
    for index, project in enumerate(Project.objects.filter(year=2024).order_by("position")[:10]):
        ActivityOutcome.objects.create(project=project, held_on=date(2024, 5, 1 + index), title="活动",
                                       participants=50, expert_person_times=2, review="confirmed")
    meeting = JointMeeting.objects.create(half="2024H1", held_on=date(2024, 6, 20), status=MeetingStatus.HELD)
    Decision.objects.create(meeting=meeting, text="推进老专家服务企业", society=Project.objects.first().society,
                            deadline=date(2024, 9, 30))
    return list(Project.objects.filter(year=2024).values_list("title", flat=True))


def texts_of_xlsx(path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]


def texts_of_docx(path) -> str:
    document = docx.Document(path if hasattr(path, "read") else str(path))
    return "\n".join([p.text for p in document.paragraphs] + [cell.text for table in document.tables
                                                               for row in table.rows for cell in row.cells])


def test_build_report_command_writes_both_files_with_every_project(year_2024, tmp_path, capsys):
    call_command("build_report", "--half", "2024H1", "-o", str(tmp_path), "--json")
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"half", "xlsx", "docx", "projects", "targets", "seconds"}
    assert result["half"] == "2024H1" and result["projects"] == 26 and result["targets"] == 12
    xlsx, word = texts_of_xlsx(result["xlsx"]), texts_of_docx(result["docx"])
    for title in year_2024:
        assert title in xlsx and title in word
    book = openpyxl.load_workbook(result["xlsx"])
    assert len(book.sheetnames) == 8
    targets = book[book.sheetnames[1]]
    assert targets.max_row == 1 + 12 and targets.freeze_panes == "A2" and targets.auto_filter.ref
    document = docx.Document(result["docx"])
    target_table = document.tables[1]
    assert len(target_table.rows) == 1 + 12
    assert "“三联三促”行动联席会议工作报告（2024年上半年）" in word and "推进老专家服务企业" in word
    assert "市老科协" in word and "滕州市科协" in xlsx
    section = document.sections[0]
    assert round(section.page_width.cm) == 21 and round(section.page_height.cm) == 30
    assert "PAGE" in section.footer.paragraphs[0]._element.xml
    assert 'w:eastAsia="仿宋"' in document.paragraphs[0]._element.xml or "仿宋" in document.styles["Normal"].element.xml


@pytest.mark.parametrize("half", ["2024H3", "abc", "24H1"])
def test_build_report_invalid_half_exits_1_in_chinese(half, tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "build_report", "--half", half, "-o", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "不是有效的半年度" in result.stderr and "Traceback" not in result.stderr


def test_report_text_cells_are_formula_safe(year_2024, tmp_path, capsys):
    Project.objects.filter(year=2024).update(title="=HYPERLINK(\"http://x\")")
    call_command("build_report", "--half", "2024H1", "-o", str(tmp_path), "--json")
    book = openpyxl.load_workbook(json.loads(capsys.readouterr().out)["xlsx"])
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_report_page_builds_keeps_snapshots_and_is_closed_to_contacts(client, year_2024, settings):
    secretariat = factories.user(Role.SECRETARIAT)
    client.force_login(secretariat)
    assert client.post(reverse("reports:halfyear"), {"half": "2024h9"}, follow=True).status_code == 200
    assert not ReportBuild.objects.exists()
    client.post(reverse("reports:halfyear"), {"half": "2024H1"})
    first = ReportBuild.objects.get()
    assert first.status == ReportBuild.Status.QUEUED
    run_build(build_id=first.pk)  # what the worker runs (the real worker is tested below)
    first.refresh_from_db()
    assert first.status == ReportBuild.Status.DONE and first.projects == 26
    status = client.get(reverse("reports:halfyear_status", args=[first.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100
    old_bytes = first.xlsx.open("rb").read()
    Project.objects.filter(year=2024).update(title="改名后的项目")
    client.post(reverse("reports:halfyear"), {"half": "2024H1"})
    second = ReportBuild.objects.exclude(pk=first.pk).get()
    run_build(build_id=second.pk)
    first.refresh_from_db()
    assert first.xlsx.open("rb").read() == old_bytes  # the earlier snapshot is kept
    response = client.get(reverse("reports:halfyear_download", args=[first.pk, "docx"]))
    assert response.status_code == 200
    assert "老专家滕州行" in texts_of_docx(io.BytesIO(b"".join(response.streaming_content)))
    for role, kwargs in ((Role.SOCIETY, {"society": factories.society()}), (Role.DISTRICT,
                                                                            {"district": factories.district()})):
        client.force_login(factories.user(role, **kwargs))
        assert client.get(reverse("reports:halfyear")).status_code == 404
        assert client.get(reverse("reports:halfyear_download", args=[first.pk, "xlsx"])).status_code == 404
    client.force_login(factories.user(Role.LEADER))
    assert client.get(reverse("reports:halfyear_download", args=[first.pk, "xlsx"])).status_code == 200
    assert client.post(reverse("reports:halfyear"), {"half": "2024H1"}).status_code == 404


@pytest.mark.celery
def test_report_built_by_the_real_worker(stack, year_2024, settings, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    stack.start_worker()
    from reports.builds import request_report

    build = request_report(half="2024H1", user=factories.user(Role.SECRETARIAT))
    wait_for(lambda: ReportBuild.objects.get(pk=build.pk).status in ("done", "failed"), timeout=120,
             message="the worker to build the report")
    build.refresh_from_db()
    assert build.status == ReportBuild.Status.DONE, build.message
    assert "老专家滕州行" in "\n".join(texts_of_xlsx(build.xlsx.path))


def test_the_report_and_the_dashboard_give_the_same_numbers(year_2024, client):
    """Both count through the same target rules and scopes: a number in the report equals the dashboard's."""
    from reports.halfyear import collect

    data = collect("2024H2")
    client.force_login(factories.user(Role.LEADER))
    page = client.get(reverse("reports:dashboard"), {"year": "2024"})
    assert page.status_code == 200
    on_dashboard = {target.code: target.value for target in page.context["targets"]}
    in_report = {target.code: target.value for target in data.targets}
    assert in_report == on_dashboard and sum(in_report.values()) > 0


def test_the_half_year_is_chosen_from_a_list_and_shown_in_words(client):
    from django.urls import reverse

    from reports.models import ReportBuild
    from societies.choices import Role
    from tests import factories

    secretariat = factories.user(Role.SECRETARIAT)
    ReportBuild.objects.create(half="2024H2", requested_by=secretariat)
    client.force_login(secretariat)
    page = client.get(reverse("reports:halfyear")).content.decode()
    assert '<select name="half" id="id_half"' in page and ">2024年下半年</td>" in page
