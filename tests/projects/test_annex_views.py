"""The annex pages: upload → preview → confirm → summary (secretariat only), refusals, and the Excel export."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Project
from projects.importing import apply_import, load_annex
from societies.choices import Role
from tests import factories
from tests.projects.test_annex_import import FIXTURE, REFUSED, counts, has_chinese

pytestmark = pytest.mark.django_db
IMPORT = reverse("projects:annex_import")


@pytest.fixture
def secretariat(client):
    client.force_login(factories.user(Role.SECRETARIAT))
    return client


def upload(client, content: bytes, **data):
    return client.post(IMPORT, {"file": SimpleUploadedFile("清单.xlsx", content), **data})


def kept_files() -> list[Path]:
    return list((Path(settings.MEDIA_ROOT) / "annex-imports").glob("*"))


def test_annex_import_upload_preview_confirm_summary(secretariat):
    response = upload(secretariat, FIXTURE.read_bytes())
    assert response.status_code == 302 and response["Location"] == reverse("projects:annex_preview")
    preview = secretariat.get(response["Location"])
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "2024" in page and "市老科协" in page and "中材锂膜" in page
    assert len(preview.context["plan"].new) == 26
    assert Project.objects.count() == 0
    assert len(kept_files()) == 1
    done = secretariat.post(reverse("projects:annex_confirm"), {"fingerprint": preview.context["plan"].fingerprint()})
    assert done["Location"] == reverse("projects:annex_done")
    summary = secretariat.get(done["Location"])
    assert summary.context["result"]["created"]["projects"] == 26
    assert Project.objects.count() == 26
    user = summary.wsgi_request.user
    assert set(Project.history.values_list("history_user", "history_change_reason")) == {(user.pk, "导入清单")}
    assert kept_files() == []


def test_annex_preview_shows_changes_field_by_field_and_projects_not_in_file(secretariat):
    apply_import(load_annex(io.BytesIO(factories.annex_workbook())))
    rows = [factories.ANNEX_ROWS[0][:6] + ("9月",) + factories.ANNEX_ROWS[0][7:], factories.ANNEX_ROWS[1]]
    upload(secretariat, factories.annex_workbook(rows))
    preview = secretariat.get(reverse("projects:annex_preview"))
    page = preview.content.decode()
    plan = preview.context["plan"]
    assert [c.field for c in plan.changed[0].changes] == ["due_text", "due_start", "due_end"]
    assert "9月" in page and "5月" in page
    assert "“5.12”护士节科普宣传活动" in page  # not in the file, left alone
    assert "待定" not in page or plan.warnings == []


def test_annex_confirm_refuses_a_plan_that_changed_since_the_preview(secretariat):
    upload(secretariat, factories.annex_workbook())
    fingerprint = secretariat.get(reverse("projects:annex_preview")).context["plan"].fingerprint()
    factories.project(society=factories.society("市医学会"), title="“5.12”护士节科普宣传活动", year=2024)
    before = counts()
    response = secretariat.post(reverse("projects:annex_confirm"), {"fingerprint": fingerprint}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:annex_preview")
    assert has_chinese(str(list(response.context["messages"])[0]))
    assert counts() == before


def test_annex_import_two_sheets_lets_the_user_choose(secretariat):
    response = upload(secretariat, factories.annex_workbook(sheets=("清单一", "清单二")))
    assert response.status_code == 400
    assert [c[0] for c in response.context["form"].fields["sheet"].choices] == ["清单一", "清单二"]
    chosen = secretariat.post(IMPORT, {"sheet": "清单二"})
    assert chosen["Location"] == reverse("projects:annex_preview")
    assert secretariat.get(chosen["Location"]).context["plan"].annex.sheet == "清单二"


def test_annex_import_year_from_the_form_when_the_file_has_none(secretariat):
    response = upload(secretariat, factories.annex_workbook(title=None), year="2025")
    assert response.status_code == 302
    assert secretariat.get(response["Location"]).context["plan"].year == 2025


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_annex_import_page_shows_the_reasons_and_changes_nothing(secretariat, case):
    apply_import(load_annex(FIXTURE))
    before = counts()
    response = upload(secretariat, REFUSED[case]())
    assert response.status_code == 400
    issues = response.context["issues"]
    assert issues and all(has_chinese(issue) for issue in issues)
    assert issues[0] in response.content.decode()
    assert counts() == before
    if case != "two sheets":
        assert kept_files() == []


def test_annex_import_page_over_the_size_limit(secretariat, settings):
    settings.UPLOAD_MAX_BYTES = 4096
    response = upload(secretariat, FIXTURE.read_bytes())
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert Project.objects.count() == 0


def test_annex_preview_without_upload_goes_back_to_the_form(secretariat):
    response = secretariat.get(reverse("projects:annex_preview"))
    assert response["Location"] == IMPORT


@pytest.mark.parametrize("role", [Role.SOCIETY, Role.DISTRICT, Role.LEADER])
@pytest.mark.parametrize("name", ["annex_import", "annex_preview", "annex_done"])
def test_annex_import_pages_are_404_for_everyone_but_the_secretariat(client, role, name):
    client.force_login(factories.user(role, society=factories.society() if role == Role.SOCIETY else None))
    assert client.get(reverse("projects:{}".format(name))).status_code == 404
    response = client.post(IMPORT, {"file": SimpleUploadedFile("a.xlsx", FIXTURE.read_bytes())})
    assert response.status_code == 404
    assert client.post(reverse("projects:annex_confirm"), {"fingerprint": "x"}).status_code == 404
    assert Project.objects.count() == 0


def read_export(response) -> openpyxl.Workbook:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                             else response.content))


def test_project_export_is_scoped_filtered_and_formula_safe(client):
    alice_society = factories.society("市甲学会")
    factories.project(society=alice_society, title="=1+1 危险标题", year=2024, partners=[factories.partner("+企业")])
    factories.project(society=alice_society, title="另一个项目", year=2025)
    factories.project(society=factories.society("市乙学会"), title="别人的项目", year=2024)
    client.force_login(factories.user(Role.SOCIETY, society=alice_society))
    book = read_export(client.get(reverse("projects:export"), {"year": "2024"}))
    sheet = book.worksheets[0]
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
    texts = " ".join(str(v) for v in values)
    assert "危险标题" in texts and "另一个项目" not in texts and "别人的项目" not in texts
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert "2024" in texts


def test_project_export_layout_round_trips_through_the_importer(secretariat, tmp_path):
    apply_import(load_annex(FIXTURE))
    response = secretariat.get(reverse("projects:export"), {"year": "2024"})
    book = read_export(response)
    sheet = book.worksheets[0]
    texts = [str(cell.value) for row in sheet.iter_rows(max_row=6) for cell in row if cell.value is not None]
    assert "协同联动单位" in texts and any("2024" in text for text in texts)
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert any(cells.startswith("D") and ":F" in cells for cells in merged)  # the linked-units group header
    assert any(cells.startswith("B") and cells != "B4:B5" for cells in merged)  # a society merged down its rows
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    annex = load_annex(path)
    assert len(annex.rows) == 26 and annex.year == 2024


def test_project_export_query_count_does_not_grow(secretariat, django_assert_num_queries):
    def export_queries(n):
        for _ in range(n):
            factories.project(districts=[factories.district()], upper_units=[factories.upper_unit()],
                              partners=[factories.partner()])
        secretariat.get(reverse("projects:export"))  # warm the session and role caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert secretariat.get(reverse("projects:export")).status_code == 200
        return len(queries)

    assert export_queries(2) == export_queries(20)


def test_admin_project_changelist_links_to_import_and_export(secretariat):
    page = secretariat.get(reverse("admin:projects_project_changelist")).content.decode()
    assert reverse("projects:annex_import") in page and reverse("projects:export") in page


def test_annex_preview_query_count_does_not_grow(secretariat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.projects.test_annex_import import _sized_workbook

    found = []
    for n in (3, 40):
        upload(secretariat, _sized_workbook(n))
        with CaptureQueriesContext(connection) as queries:
            assert secretariat.get(reverse("projects:annex_preview")).status_code == 200
        found.append(len(queries))
    assert found[0] == found[1]


def test_annex_import_page_refuses_a_zip_bomb_quickly_in_bounded_memory(secretariat, tmp_path):
    import time
    import tracemalloc

    from tests.projects.test_annex_import import _zip_bomb

    path = tmp_path / "bomb.xlsx"
    _zip_bomb(path)
    tracemalloc.start()
    started = time.monotonic()
    response = upload(secretariat, path.read_bytes())
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert response.status_code == 400
    assert all(has_chinese(issue) for issue in response.context["issues"])
    assert seconds < 20
    assert peak < 200 * 1024 * 1024
    assert Project.objects.count() == 0 and kept_files() == []
