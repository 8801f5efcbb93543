"""Each role's main journey, in Chromium, on desk and phone widths."""

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from projects.models import Project
from tests.browser.conftest import PHONE, ROOT, SCREENSHOTS

pytestmark = pytest.mark.browser
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def test_wrong_password_five_times_locks_the_login_in_chinese(open_page, demo):
    page = open_page(allow_statuses=(429,))
    for _attempt in range(5):
        page.goto("/accounts/login/")
        page.page.fill("#id_username", "society")
        page.page.fill("#id_password", "wrong-password")
        page.submit("main button[type=submit]")
    page.goto("/accounts/login/")
    page.page.fill("#id_username", "society")
    page.page.fill("#id_password", demo)
    page.submit("main button[type=submit]")
    assert "账号已锁定" in page.page.inner_text("main") and "登录失败次数过多" in page.page.inner_text("main")
    assert "/accounts/login/" in page.page.url


def test_secretariat_imports_the_list_through_the_preview_and_exports_it(open_page, demo):
    page = open_page()
    page.login("secretariat", demo)
    page.goto("/projects/import/")
    page.page.set_input_files("input[type=file]", str(ROOT / "fixtures" / "annex-2024.xlsx"))
    page.submit("main form button[type=submit]")
    assert "预览" in page.page.inner_text("main") or "确认导入" in page.page.inner_text("main")
    page.submit("text=确认导入")
    assert Project.objects.filter(year=2024).count() == 26
    page.goto("/projects/?year=2024")
    assert page.page.locator("table.table tbody tr").count() == 26
    assert "26 个项目" in page.page.inner_text("main")
    with page.page.expect_download() as download_info:
        page.page.click("a.button[href*='export.xlsx']")
    download = download_info.value
    assert download.suggested_filename == "annex-2024.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    sheet = book.active
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any("2024" in text for text in texts[:3])
    assert any("老专家滕州行" in text for text in texts)


def test_society_contact_on_a_phone_updates_a_project(open_page, demo, tmp_path):
    from societies.models import Society
    from tests import factories

    own = Society.objects.get(name="市老科协")
    other = factories.society("市医学会")
    mine = factories.project(society=own, title="老专家滕州行", year=timezone.localdate().year)
    theirs = factories.project(society=other, title="护士节科普", year=timezone.localdate().year)
    page = open_page(viewport=PHONE, allow_statuses=(404,))
    page.login("society", demo)
    page.goto("/projects/mine/")
    assert "老专家滕州行" in page.page.inner_text("main") and "护士节科普" not in page.page.inner_text("main")
    page.submit("text=老专家滕州行")
    page.page.select_option("select[name=status]", "in_progress")
    page.submit("text=保存状态")
    assert "状态已改为" in page.page.inner_text("main")
    photo = Path(tmp_path) / "sanlian-photo.png"
    photo.write_bytes(PNG)
    page.page.fill("textarea[name=text]", "完成首场报告会，参会 120 人")
    page.page.set_input_files("input[name=files]", str(photo))
    page.submit("#update-form button[type=submit]")
    main = page.page.inner_text("main")
    assert "进展已发布" in main and "完成首场报告会" in main and "附件：sanlian-photo.png" in main
    assert page.page.locator("img.thumb").count() == 1
    mine.refresh_from_db()
    assert mine.status == "in_progress" and mine.updates.count() == 1
    response = page.goto("/projects/{}/".format(theirs.pk))
    assert response.status == 404 and "页面不存在" in page.page.inner_text("main")


def test_district_contact_sees_linked_projects_only(open_page, demo):
    from societies.models import District
    from tests import factories

    own = District.objects.get(name="滕州市科协")
    year = timezone.localdate().year
    linked = [factories.project(title="联动项目{}".format(n), districts=[own], year=year) for n in range(3)]
    factories.project(title="别区项目", districts=[District.objects.get(name="薛城区科协")], year=year)
    page = open_page()
    page.login("district", demo)
    page.goto("/projects/")
    rows = page.page.locator("table.table tbody tr")
    assert rows.count() == len(linked)
    assert "别区项目" not in page.page.inner_text("main")
    assert "编辑" not in page.page.inner_text("main")


def test_leadership_dashboard_charts_match_the_table(open_page, demo):
    from reports.demo import seed_demo

    seed_demo(projects=30, seed=2, password=demo)
    page = open_page()
    page.login("leader", demo)
    assert page.page.url.endswith("/reports/dashboard/")
    page.page.wait_for_selector("#chart-targets svg")
    assert page.page.locator("[data-trend] svg").count() >= 1
    chart = json.loads(page.page.inner_text("#dashboard-data"))
    table = page.page.locator("#targets-table tbody tr")
    assert table.count() == len(chart["labels"]) == 12
    for index in range(table.count()):
        row = table.nth(index)
        assert row.locator("td").nth(0).inner_text() == chart["labels"][index]  # the name leaders read, not the code
        assert row.get_attribute("data-code") not in chart["labels"]
        assert int(row.locator("a.value").inner_text()) == chart["values"][index]
        assert row.locator("td").nth(3).inner_text() == "{}%".format(chart["done"][index])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SCREENSHOTS / "leadership-dashboard.png"), full_page=True)
    page.submit("#targets-table a.value >> nth=0")
    assert "由下列记录统计" in page.page.inner_text("main")


def test_reminder_arrives_in_the_notification_centre(open_page, demo):
    from django.contrib.auth.models import User

    from projects.reminders import send_reminders
    from societies.models import Society
    from tests import factories

    today = timezone.localdate()
    project = factories.project(society=Society.objects.get(name="市老科协"), title="即将到期的项目", year=today.year,
                                due_start=today, due_end=today + timedelta(days=7), due_text="本周")
    User.objects.filter(username="society").update(email="society@example.org")
    send_reminders(today=today)
    page = open_page(viewport=PHONE)
    page.login("society", demo)
    badge = page.page.locator(".notify-count")
    assert badge.count() == 1 and int(badge.inner_text()) >= 1
    page.goto("/projects/notifications/")
    assert "即将到期的项目" in page.page.inner_text("main")
    page.submit("text=全部标为已读")
    assert page.page.locator(".notify-count").count() == 0
    assert re.search(r"\d+", page.page.inner_text("main"))
    assert project.pk


def test_meeting_answer_and_half_year_report_download(open_page, demo, tmp_path):
    from datetime import date

    from django.contrib.auth.models import User

    from meetings.services import schedule_meeting
    from reports.models import ReportBuild
    from reports.builds import run_build
    from reports.demo import seed_demo

    seed_demo(projects=8, seed=4, password=demo)
    meeting = schedule_meeting(user=User.objects.get(username="secretariat"), half="2026H2",
                               held_on=date(2026, 12, 18), place="市科协三楼会议室", agenda=["各学会汇报"])
    district = open_page(viewport=PHONE)
    district.login("district", demo)
    district.goto("/meetings/{}/".format(meeting.pk))
    district.page.select_option("select[name=attendance]", "confirmed")
    district.page.fill("input[name=attendee]", "张主任")
    district.submit("#answer-form button[type=submit]")
    assert "回复已保存" in district.page.inner_text("main")
    assert meeting.invitations.get(district__name="滕州市科协").attendee == "张主任"

    page = open_page()
    page.login("secretariat", demo)
    page.goto("/reports/half-year/")
    page.page.select_option("#id_half", "2026H1")
    page.submit("main form button[type=submit]")
    assert "报告正在生成" in page.page.inner_text("main")
    build = ReportBuild.objects.get()
    run_build(build_id=build.pk)  # the worker's part; the page's script notices and reloads
    page.page.wait_for_selector("a[href$='/xlsx/']", timeout=20000)
    page.check_page()
    with page.page.expect_download() as download_info:
        page.page.click("a[href$='/docx/']")
    import docx

    document = docx.Document(download_info.value.path())
    assert "“三联三促”行动联席会议工作报告（2026年上半年）" in document.paragraphs[0].text
