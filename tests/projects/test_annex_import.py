"""The annex import service and the import_annex / export_annex commands, through the real database."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from projects.annex import AnnexRefused, read_annex, write_annex
from projects.models import Project, ProjectDistrict, ProjectPartner, ProjectUpperUnit
from projects.importing import (
    ImportPlanChanged, apply_import, import_reference_list, load_annex, partner_kind, plan_import, upper_unit_level,
)
from societies.choices import PartnerKind, Role, UpperUnitLevel
from societies.models import District, Partner, Society, UpperUnit
from tests import factories

pytestmark = pytest.mark.django_db
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "annex-2024.xlsx"
EXPECTED = Path(settings.BASE_DIR) / "tests" / "projects" / "annex-2024.expected.json"
MODELS = (Society, District, UpperUnit, Partner, Project, ProjectDistrict, ProjectUpperUnit, ProjectPartner)


def counts() -> dict[str, int]:
    """Every table an import writes, with its history: a refused import must leave all of them as they were."""
    result = {model.__name__: model.objects.count() for model in MODELS}
    result |= {model.__name__ + "History": model.history.count() for model in MODELS}
    return result


def run(*args) -> tuple[int, str, str]:
    """``manage.py import_annex``/``export_annex`` in process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def export_json(year: int = 2024) -> dict:
    code, out, _err = run("export_annex", "--year", str(year), "--json")
    assert code == 0
    return json.loads(out)


def write(tmp_path, content: bytes, name: str = "list.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_import_annex_2024_gives_the_expected_list():
    code, out, err = run("import_annex", str(FIXTURE), "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert result["year"] == 2024
    assert result["created"]["projects"] == 26
    assert result["created"]["societies"] == expected["societies"]
    assert (result["updated"], result["unchanged"]) == (0, 0)
    exported = export_json()
    assert len(exported["projects"]) == len(expected["projects"])
    for have, want in zip(exported["projects"], expected["projects"]):
        assert {key: have[key] for key in want} == want
    assert set(exported["projects"][0]) == {"seq", "society", "title", "districts", "upper_units", "partners",
                                             "due_text", "due_start", "due_end", "contact", "remarks", "status"}
    assert exported["projects"][0]["due_start"] == "2024-05-01"
    assert exported["projects"][0]["status"] == "planned"


def test_import_annex_same_file_twice_changes_nothing():
    run("import_annex", str(FIXTURE))
    before = counts()
    code, out, _err = run("import_annex", str(FIXTURE), "--json")
    again = json.loads(out)
    assert code == 0
    assert again["created"] == {"societies": 0, "districts": 0, "upper_units": 0, "partners": 0, "projects": 0}
    assert (again["updated"], again["unchanged"]) == (0, 26)
    assert counts() == before


def test_import_annex_records_history_as_an_import_by_the_user():
    secretariat = factories.user(Role.SECRETARIAT)
    apply_import(load_annex(FIXTURE), user=secretariat)
    records = Project.history.filter(history_type="+")
    assert records.count() == 26
    assert set(records.values_list("history_user", "history_change_reason")) == {(secretariat.pk, "导入清单")}
    assert ProjectPartner.history.filter(history_user=secretariat).count() == ProjectPartner.objects.count()
    assert Partner.history.filter(history_change_reason="导入清单").count() == Partner.objects.count()


def test_import_annex_edited_file_updates_changed_projects_field_by_field(tmp_path):
    apply_import(load_annex(write(tmp_path, factories.annex_workbook())))
    first = Project.objects.get(title="中国老科协老专家滕州行活动")
    progress_id = first.updates.create(happened_on="2024-05-02", text="已开展").pk
    rows = list(factories.ANNEX_ROWS)
    rows[0] = (1, "市老科协", "1.中国老科协老专家滕州行活动", "滕州市科协、薛城区科协", "山东省老科协", "山森数控、新企业",
               "6月下旬", "李健", None)
    rows[2] = (2, "市医学会", "新的讲座", "市中区科协", "山东省医学会", "鲁南书城", "7月", "盛敏", None)
    plan = plan_import(load_annex(write(tmp_path, factories.annex_workbook(rows), "edited.xlsx")))
    assert [p.values["title"] for p in plan.new] == ["新的讲座"]
    assert [p.values["title"] for p in plan.unchanged] == ["乡村振兴知识技能提升培训"]
    assert [p.title for p in plan.not_in_file] == ["“5.12”护士节科普宣传活动"]
    changes = {c.field: (c.old, c.new) for c in plan.changed[0].changes}
    assert changes == {
        "due_text": ("5月", "6月下旬"), "due_start": (first.due_start, plan.changed[0].values["due_start"]),
        "due_end": (first.due_end, plan.changed[0].values["due_end"]),
        "districts": (["滕州市科协"], ["滕州市科协", "薛城区科协"]),
        "upper_units": (["中国老科协", "山东省老科协"], ["山东省老科协"]),
        "partners": (["中材锂膜", "山森数控"], ["山森数控", "新企业"]),
    }
    assert {org.name for org in plan.new_organisations["partners"]} == {"新企业", "鲁南书城"}
    result = apply_import(plan)
    assert (result.created["projects"], result.updated, result.unchanged) == (1, 1, 1)
    first.refresh_from_db()
    assert (first.due_text, first.partner_list, first.updates.get().pk) == (
        "6月下旬", [Partner.objects.get(name="山森数控"), Partner.objects.get(name="新企业")], progress_id)
    assert [u.name for u in first.upper_unit_list] == ["山东省老科协"]
    assert Project.objects.filter(title="“5.12”护士节科普宣传活动").exists()
    assert ProjectUpperUnit.history.filter(history_type="-", history_change_reason="导入清单").count() == 1
    assert Project.history.filter(history_type="~", id=first.pk).count() == 1


def test_apply_import_refuses_a_plan_that_changed_underneath(tmp_path):
    annex = load_annex(write(tmp_path, factories.annex_workbook()))
    plan = plan_import(annex)
    factories.project(society=factories.society("市医学会"), title="“5.12”护士节科普宣传活动", year=2024)
    before = counts()
    with pytest.raises(ImportPlanChanged):
        apply_import(plan)
    assert counts() == before


def test_import_annex_dry_run_changes_nothing():
    before = counts()
    code, out, _err = run("import_annex", str(FIXTURE), "--dry-run", "--json")
    assert code == 0
    assert json.loads(out)["created"]["projects"] == 26
    assert counts() == before


def test_import_annex_warns_about_a_due_text_without_window(tmp_path):
    code, out, _err = run("import_annex", write(tmp_path, factories.annex_workbook()), "--json")
    warnings = json.loads(out)["warnings"]
    assert code == 0
    assert [(w["sheet"], w["row"]) for w in warnings] == [("附件", 7)]
    assert set(warnings[0]) == {"sheet", "row", "column", "message"}
    assert Project.objects.get(title="“5.12”护士节科普宣传活动").due_end is None


def test_import_annex_round_trip_gives_the_same_export(tmp_path):
    run("import_annex", str(FIXTURE))
    Project.objects.filter(title="肿瘤诊疗新进展培训班").update(remarks="=HYPERLINK(\"x\")", status="done")
    before = export_json()
    path = tmp_path / "export.xlsx"
    assert run("export_annex", "--year", "2024", "-o", str(path))[0] == 0
    for model in (ProjectDistrict, ProjectUpperUnit, ProjectPartner, Project, Society, District, UpperUnit, Partner):
        model.objects.all().delete()
    code, _out, err = run("import_annex", str(path))
    assert (code, err) == (0, "")
    after = export_json()
    for project in before["projects"]:
        project["status"] = "planned"  # the list does not carry the status: a new project starts planned
    assert after == before


def _sized_workbook(n: int, *, edit: bool = False) -> bytes:
    """n projects over n/2 societies, each project with its own new units (so every kind has new ones)."""
    return write_annex(2024, [
        {"seq": i // 2 + 1, "society": "市规模学会{}".format(i // 2), "title": "规模项目{}".format(i),
         "districts": ["规模区{}科协".format(i)], "upper_units": ["山东省规模学会{}".format(i), "中国规模学会"],
         "partners": ["规模企业{}".format(i + (1 if edit else 0)), "规模社区{}".format(i)],
         "due_text": "6月" if edit else "5月", "contact": "联系人", "remarks": "", "status": "planned"}
        for i in range(n)
    ])


def _queries(path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert run("import_annex", path)[0] == 0
    return len(queries)


def test_import_annex_query_count_does_not_grow_with_the_list(tmp_path):
    small, large = [], []
    for n, found in ((4, small), (60, large)):
        Project.objects.filter(title__startswith="规模项目").delete()
        found.append(_queries(write(tmp_path, _sized_workbook(n), "first{}.xlsx".format(n))))
        found.append(_queries(write(tmp_path, _sized_workbook(n), "again{}.xlsx".format(n))))
        found.append(_queries(write(tmp_path, _sized_workbook(n, edit=True), "edit{}.xlsx".format(n))))
    assert Project.objects.count() == 60
    assert small == large
    # first import (reads, then per created kind an insert, its keys read back and its history copied),
    # re-import (reads only), an edit (reads, new partners, project update, links updated in place, with history)
    assert small == [41, 10, 18]  # a first import also reads the projects it made and whom to tell of them


@pytest.mark.parametrize(("name", "kind"), [
    ("村居", PartnerKind.GROUP), ("社区", PartnerKind.GROUP), ("各级医院护理学会团体会员", PartnerKind.GROUP),
    ("全市建筑业企业", PartnerKind.GROUP), ("各专业委员会", PartnerKind.GROUP),
    ("枣庄学院", PartnerKind.INSTITUTION), ("市立医院", PartnerKind.INSTITUTION), ("石榴研究院", PartnerKind.INSTITUTION),
    ("基层医疗机构", PartnerKind.INSTITUTION), ("鲁南书城", PartnerKind.ENTERPRISE), ("中材锂膜", PartnerKind.ENTERPRISE),
])
def test_partner_kind_from_the_name(name, kind):
    assert partner_kind(name) == kind


@pytest.mark.parametrize(("name", "level"), [
    ("中国老科协", UpperUnitLevel.NATIONAL), ("中华中医药学会", UpperUnitLevel.NATIONAL),
    ("国家国防科技工业局重大专项工程中心", UpperUnitLevel.NATIONAL), ("山东省医学会", UpperUnitLevel.PROVINCIAL),
    ("山东针灸学会", UpperUnitLevel.PROVINCIAL), ("枣庄学院机电工程研究所", UpperUnitLevel.INSTITUTE),
    ("枣庄学院", UpperUnitLevel.UNIVERSITY), ("鲁南某协会", UpperUnitLevel.OTHER),
])
def test_upper_unit_level_from_the_name(name, level):
    assert upper_unit_level(name) == level


def test_import_annex_new_organisations_get_their_kind():
    apply_import(load_annex(FIXTURE))
    assert Partner.objects.get(name="村居").kind == PartnerKind.GROUP
    assert Partner.objects.get(name="枣庄学院").kind == PartnerKind.INSTITUTION
    assert UpperUnit.objects.get(name="中国老科协").level == UpperUnitLevel.NATIONAL


def test_import_annex_matches_existing_organisations_by_normalised_name(tmp_path):
    existing = factories.upper_unit("山东省 医学会")
    district = District.objects.create(name="市中区科协")
    apply_import(load_annex(write(tmp_path, factories.annex_workbook())))
    assert UpperUnit.objects.filter(name_key="山东省医学会").get() == existing
    assert District.objects.filter(name="市中区科协").get() == district


def test_import_reference_list_only_into_an_empty_portal():
    factories.project()
    assert import_reference_list() is None
    assert Project.objects.count() == 1


def test_setup_portal_imports_the_2024_list_once():
    out = io.StringIO()
    call_command("setup_portal", stdout=out)
    assert Project.objects.filter(year=2024).count() == 26
    assert "26" in out.getvalue()
    society_user = Society.objects.get(name="市老科协").profiles.get().user
    assert Project.objects.for_user(society_user).count() == 2
    call_command("setup_portal", stdout=io.StringIO())
    assert Project.objects.count() == 26


# --- refusals: exit 1, Chinese reasons with where, JSON errors, nothing changed -----------------------------------
def _zip_bomb(path: Path) -> None:
    """A 2 MB-ish .xlsx whose sheet XML inflates to 800 MB."""
    valid = zipfile.ZipFile(io.BytesIO(factories.annex_workbook()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in valid.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(item, valid.read(item))
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                         b'2006/main"><sheetData>')
            chunk = b'<row r="1"><c t="inlineStr"><is><t>x</t></is></c></row>' * (1024 * 1024 // 52)
            for _ in range(800):
                member.write(chunk)
            member.write(b"</sheetData></worksheet>")


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
                  b'&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
                  b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol3;</t></si></sst>')


def _with_member(name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(factories.annex_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == name else source.read(item))
        if name not in source.namelist():
            target.writestr(name, content)
    return out.getvalue()


def _orphan_rows():
    rows = list(factories.ANNEX_ROWS)
    rows[0] = (None, None) + rows[0][2:]
    return rows


REFUSED = {
    "old xls": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096,
    "csv utf-8": lambda: "序号,市级学会,项目\n1,市老科协,活动\n".encode(),
    "csv gbk": lambda: "序号,市级学会,项目\n1,市老科协,活动\n".encode("gbk"),
    "renamed text": lambda: b"just some text, not a workbook\n" * 10,
    "truncated zip": lambda: factories.annex_workbook()[:1500],
    "empty file": lambda: b"",
    "billion laughs": lambda: _with_member("xl/sharedStrings.xml", BILLION_LAUGHS),
    "no header": lambda: factories.annex_workbook(header=None),
    "missing column": lambda: factories.annex_workbook(drop=(6,)),
    "two sheets": lambda: factories.annex_workbook(sheets=("清单一", "清单二")),
    "orphan row": lambda: factories.annex_workbook(_orphan_rows()),
    "row without title": lambda: factories.annex_workbook(
        [*factories.ANNEX_ROWS, (3, "市新学会", None, "市中区科协", "", "", "5月", "王", None)]),
    "duplicate title": lambda: factories.annex_workbook([*factories.ANNEX_ROWS, factories.ANNEX_ROWS[2]]),
    "no year": lambda: factories.annex_workbook(title="重点项目清单"),
    "title too long": lambda: factories.annex_workbook([(1, "市新学会", "长" * 600, "", "", "", "5月", "王", None)]),
}


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_import_annex_refuses_a_bad_file_and_changes_nothing(tmp_path, case):
    apply_import(load_annex(FIXTURE))
    before = counts()
    path = write(tmp_path, REFUSED[case]())
    code, out, err = run("import_annex", path, "--json")
    assert code == 1
    assert has_chinese(err)
    errors = json.loads(out)["errors"]
    assert errors and all(set(e) == {"sheet", "row", "column", "message"} and has_chinese(e["message"]) for e in errors)
    assert counts() == before


def test_import_annex_refusal_names_sheet_row_and_column(tmp_path):
    code, out, err = run("import_annex", write(tmp_path, REFUSED["orphan row"]()), "--json")
    error = json.loads(out)["errors"][0]
    assert (code, error["sheet"], error["row"]) == (1, "附件", 5)
    assert "附件" in err and "5" in err


def test_import_annex_over_the_size_limit_is_refused(tmp_path, settings):
    settings.UPLOAD_MAX_BYTES = 4096
    code, _out, err = run("import_annex", str(FIXTURE))
    assert code == 1 and has_chinese(err)
    assert Project.objects.count() == 0


def _unreadable(tmp_path) -> Path:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(FIXTURE.read_bytes())
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: use a file the kernel refuses even to root
        path = Path("/proc/sys/vm/compact_memory")
    return path


@pytest.mark.parametrize("which", ["missing", "folder", "unreadable"])
def test_import_annex_refuses_a_path_that_is_not_a_readable_file(tmp_path, which):
    path = {"missing": tmp_path / "nothing.xlsx", "folder": tmp_path, "unreadable": _unreadable(tmp_path)}[which]
    code, out, err = run("import_annex", str(path), "--json")
    assert code == 1 and has_chinese(err)
    assert "Traceback" not in err
    assert json.loads(out)["errors"][0]["message"]


def test_import_annex_zip_bomb_refused_quickly_in_bounded_memory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _zip_bomb(path)
    assert path.stat().st_size < 3 * 1024 * 1024
    script = ("import resource, subprocess, sys, time; t = time.monotonic(); "
              "p = subprocess.run([sys.executable, 'manage.py', 'import_annex', sys.argv[1]], capture_output=True, "
              "text=True); print(p.returncode, round(time.monotonic() - t, 2), "
              "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024); print(p.stderr)")
    env = dict(os.environ, DATABASE_URL="sqlite:///{}".format(tmp_path / "db.sqlite3"), MEDIA_ROOT=str(tmp_path))
    call = subprocess.run([sys.executable, "-c", script, str(path)], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    code, seconds, megabytes = call.stdout.split("\n")[0].split()
    assert code == "1"
    assert float(seconds) < 20
    assert int(megabytes) < 200
    assert has_chinese(call.stdout) and "Traceback" not in call.stdout


def test_import_annex_command_line_exit_code_and_no_traceback(tmp_path):
    path = write(tmp_path, REFUSED["truncated zip"]())
    env = dict(os.environ, DATABASE_URL="sqlite:///{}".format(tmp_path / "db.sqlite3"))
    call = subprocess.run([sys.executable, "manage.py", "import_annex", path, "--json"], cwd=settings.BASE_DIR,
                          env=env, capture_output=True, text=True, timeout=60)
    assert call.returncode == 1
    assert "Traceback" not in call.stderr and has_chinese(call.stderr)
    assert list(json.loads(call.stdout)) == ["errors"]


# --- fuzz through the service: it may refuse, never crash -------------------------------------------------------
@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000))
def test_load_annex_random_bytes_refuse_or_read(data):
    try:
        plan_import(load_annex(io.BytesIO(data)))
    except AnnexRefused as refused:
        assert refused.issues


CELL = st.one_of(st.none(), st.integers(-5, 40000), st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=30),
                 st.sampled_from(["", " ", "=1+1", "、", "1.", "5月", "待定", "全年", "市老科协", "\n", "（1）"]))


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(*[CELL] * 9), min_size=1, max_size=6))
def test_import_random_cells_refuse_or_apply(rows):
    try:
        annex = read_annex(io.BytesIO(factories.annex_workbook(rows)))
    except AnnexRefused:
        return
    try:
        result = apply_import(annex)
    except AnnexRefused as refused:
        assert refused.issues
    else:
        assert result.created["projects"] + result.updated + result.unchanged == len(annex.rows)


@pytest.mark.parametrize("year", ["abc", "1800"])
def test_import_annex_refuses_a_bad_year_argument(year):
    code, out, err = run("import_annex", str(FIXTURE), "--year", year, "--json")
    assert code == 1 and has_chinese(err)
    assert list(json.loads(out)) == ["errors"]
    assert Project.objects.count() == 0


def test_export_annex_to_an_unwritable_place_exits_1(tmp_path):
    apply_import(load_annex(FIXTURE))
    code, _out, err = run("export_annex", "--year", "2024", "-o", str(tmp_path / "missing" / "list.xlsx"))
    assert code == 1 and has_chinese(err)


def test_an_import_tells_each_society_and_district_contact_once_listing_their_projects():
    from projects.models import Notification

    old_lab = factories.society("市老科协")
    tengzhou = factories.district("滕州市科协")
    contact = factories.user(Role.SOCIETY, society=old_lab, email="lab@example.org")
    district = factories.user(Role.DISTRICT, district=tengzhou)
    bystander = factories.user(Role.SOCIETY, society=factories.society("名单外学会"))
    import_reference_list()
    [to_society] = Notification.objects.filter(recipient=contact)
    assert to_society.title == "市老科协：导入清单新增 2 个项目" and to_society.email == "lab@example.org"
    for title in Project.objects.filter(society=old_lab).values_list("title", flat=True):
        assert title in to_society.body
    [to_district] = Notification.objects.filter(recipient=district)
    linked = Project.objects.filter(district_links__district=tengzhou)
    assert linked.count() == 6 and "导入清单中有 6 个项目关联到滕州市科协" == to_district.title
    assert all(title in to_district.body for title in linked.values_list("title", flat=True))
    assert not Notification.objects.filter(recipient=bystander).exists()
    apply_import(load_annex(FIXTURE), user=None)  # the same list again: nobody is told twice
    assert Notification.objects.filter(recipient__in=[contact, district]).count() == 2
