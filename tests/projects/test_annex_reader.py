"""Reading the annex workbook: the shared 2024 list, every layout the annex format allows, every refusal."""

import io
import json
import pickle
import time
import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanlian import workbook as workbook_module
from projects.annex import Annex, AnnexIssue, AnnexRefused, normalise_name, read_annex

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "annex"
WORKBOOK_2024 = next(p for p in (ROOT / "fixtures" / "annex-2024.xlsx", SHARED / "annex-2024.xlsx") if p.exists())
EXPECTED_2024 = json.loads(next(
    p for p in (ROOT / "tests" / "projects" / "annex-2024.expected.json", SHARED / "annex-2024.expected.json")
    if p.exists()).read_text(encoding="utf-8"))

TITLE_LINE = "枣庄市科协“三联三促”行动重点改革品牌项目、重要特色活动清单（2024年）"
TOP = ["序号", "市级\n学会", "重点改革品牌项目（重要特色活动）", "协同联动单位", None, None, "完成\n时间", "联系人", "备\n注"]
SUB = [None, None, None, "区、市科协", "上级学会\n（科研单位）", "科技企业\n（科技项目）", None, None, None]
ONE_ROW = ["序号", "市级学会", "重点改革品牌项目", "区（市）科协", "上级学会", "科技企业", "完成时限", "联系人", "备注"]
FIELDS = ("seq", "society", "title", "districts", "upper_units", "partners", "due_text", "contact", "remarks")


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def project(seq=1, society="市医学会", title="健康讲座", districts="市中区科协", upper="山东省医学会",
            partners="鲁南书城", due="6月", contact="盛敏", remarks=None) -> list:
    return [seq, society, title, districts, upper, partners, due, contact, remarks]


def xlsx(rows: list[list], *, title: str = "附件", merges: tuple[str, ...] = (), before: tuple = ()) -> bytes:
    """A one-sheet workbook whose rows start at A1; `before` adds sheets (title, rows) in front of it."""
    return book([*before, (title, rows, merges)])


def book(sheets: list[tuple]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows, *merges in sheets:
        sheet = workbook.create_sheet(title)
        for values in rows:
            sheet.append(values)
        for ref in merges[0] if merges else ():
            sheet.merge_cells(ref)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def annex(*projects: list, header: tuple = (TOP, SUB), above: tuple = (["附件"], [TITLE_LINE]), **kwargs) -> Annex:
    return read_annex(xlsx([*above, *header, *projects], **kwargs.pop("xlsx", {})), **kwargs)


def values(result: Annex, *fields: str) -> list[tuple]:
    return [tuple(getattr(row, field) for field in fields or FIELDS) for row in result.rows]


def refusal(source, **kwargs) -> list[tuple]:
    with pytest.raises(AnnexRefused) as caught:
        read_annex(source, **kwargs)
    return [(issue.sheet, issue.row, issue.column, issue.message) for issue in caught.value.issues]


def rewrite(data: bytes, replace: dict[str, bytes]) -> bytes:
    """`data` with some zip members replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
    return out.getvalue()


# --- the shared 2024 workbook -------------------------------------------------------------------------------------


def test_read_2024_workbook_matches_expected_json():
    result = read_annex(WORKBOOK_2024)
    keys = list(EXPECTED_2024["projects"][0])
    assert result.year == EXPECTED_2024["year"]
    assert [{key: getattr(row, key) for key in keys} for row in result.rows] == EXPECTED_2024["projects"]
    assert len({row.society for row in result.rows}) == EXPECTED_2024["societies"]
    assert (result.sheet, result.warnings) == ("附件", [])


def test_read_2024_workbook_due_windows_and_rows():
    rows = read_annex(WORKBOOK_2024.read_bytes()).rows
    assert [(r.row, r.due_start, r.due_end) for r in rows if r.due_text in ("4月底", "5-10月", "10月下旬")] == [
        (10, date(2024, 4, 21), date(2024, 4, 30)),
        (26, date(2024, 10, 21), date(2024, 10, 31)),
        (27, date(2024, 10, 21), date(2024, 10, 31)),
        (29, date(2024, 5, 1), date(2024, 10, 31)),
    ]


def test_read_2024_workbook_from_file_object_with_year_argument():
    with WORKBOOK_2024.open("rb") as handle:
        result = read_annex(handle, year=2025)
    assert (result.year, result.rows[0].due_start) == (2025, date(2025, 5, 1))


# --- layouts ------------------------------------------------------------------------------------------------------


def test_read_one_row_header_with_variant_names():
    result = annex(project(), header=(ONE_ROW,))
    assert values(result) == [(1, "市医学会", "健康讲座", ["市中区科协"], ["山东省医学会"], ["鲁南书城"], "6月", "盛敏", "")]


def test_read_header_variants_full_width_and_line_breaks():
    header = ["序 号", "*市级学会", "重点项目", "区县（市）科协", "上级学会(科研单位)", "科技企业（科技\n项目）", "完成\n时限",
              "联系\n人"]
    result = annex(project()[:8], header=(header,))
    assert values(result, "title", "upper_units", "due_text", "contact", "remarks") == [
        ("健康讲座", ["山东省医学会"], "6月", "盛敏", "")]


def test_read_header_lower_down_with_text_above():
    above = (["附件"], [], ["说明：本表由学会部汇总"], [None, None, "（2025年）枣庄市科协重点项目清单"], [], [])
    result = annex(project(due="5月中旬"), above=above)
    assert (result.year, result.rows[0].row, result.rows[0].due_start) == (2025, 9, date(2025, 5, 11))


def test_read_instructions_sheet_before_the_table():
    instructions = ("填写说明", [["市级学会：填写学会全称"], ["完成时间：如“5月中旬”"], ["联系人：填写姓名"]])
    result = annex(project(), xlsx={"title": "清单", "before": (instructions,)})
    assert (result.sheet, values(result, "society", "title")) == ("清单", [("市医学会", "健康讲座")])


def test_read_sheet_argument_picks_one_of_two_tables():
    table = [[TITLE_LINE], ONE_ROW, project()]
    other = [[TITLE_LINE], ONE_ROW, project(title="另一个项目")]
    result = read_annex(book([("甲", table), ("乙", other)]), sheet="乙")
    assert (result.sheet, values(result, "title")) == ("乙", [("另一个项目",)])


def test_read_society_repeated_on_every_row():
    result = annex(project(1, title="讲座一"), project(1, title="讲座二", contact=None),
                   project(2, "市老科协", "专家行", contact="李健"))
    assert values(result, "seq", "society", "title", "contact") == [
        (1, "市医学会", "讲座一", "盛敏"), (1, "市医学会", "讲座二", "盛敏"), (2, "市老科协", "专家行", "李健")]


def test_read_society_written_once_and_blank_below():
    result = annex(project(1, title="讲座一"), project(None, None, "讲座二", contact=None),
                   project(2, "市老科协", "专家行", contact=None), project(None, None, "培训", contact=None))
    assert values(result, "seq", "society", "title", "contact") == [
        (1, "市医学会", "讲座一", "盛敏"), (1, "市医学会", "讲座二", "盛敏"),
        (2, "市老科协", "专家行", ""), (2, "市老科协", "培训", "")]


def test_read_merged_cells_fill_every_row_of_the_range():
    rows = [[TITLE_LINE], ONE_ROW, project(1, title="讲座一"), project(None, None, "讲座二", due=None, contact=None)]
    result = read_annex(xlsx(rows, merges=("A3:A4", "B3:B4", "G3:G4", "H3:H4")))
    assert values(result, "seq", "society", "due_text", "contact") == [
        (1, "市医学会", "6月", "盛敏"), (1, "市医学会", "6月", "盛敏")]


def test_read_without_seq_and_remarks_columns():
    header = [ONE_ROW[1:8]]
    result = annex(project()[1:8], project(society=None, title="讲座二")[1:8], header=header)
    assert values(result, "seq", "society", "title", "remarks") == [
        (None, "市医学会", "健康讲座", ""), (None, "市医学会", "讲座二", "")]


def test_read_blank_rows_between_societies_skipped():
    result = annex(project(1), [], [None, "  ", None], project(2, "市老科协", "专家行"), [])
    assert values(result, "row", "society") == [(5, "市医学会"), (8, "市老科协")]


def test_read_closing_note_rows_are_not_projects():
    notes = (["注：1.本表由各学会填报；"], ["2.完成时间以实际为准。"], ["说明：联系人请填写手机号", None, None, "说明：联系人请填写手机号"],
             ["注", "各学会请于5月前报送"])
    result = annex(project(), *notes)
    assert values(result, "title") == [("健康讲座",)]


def test_read_note_merged_across_the_row_is_not_a_project():
    rows = [[TITLE_LINE], ONE_ROW, project(), ["注：以上项目按计划推进"]]
    result = read_annex(xlsx(rows, merges=("A4:I4",)))
    assert values(result, "title") == [("健康讲座",)]


def test_read_header_repeated_on_a_later_page_skipped():
    result = annex(project(1), TOP, SUB, project(2, "市老科协", "专家行"))
    assert values(result, "seq", "title") == [(1, "健康讲座"), (2, "专家行")]


def test_read_numbers_as_text_and_full_width():
    result = annex(project("１"), project("2", "市老科协", "甲"), project(3.0, "市科协", "乙"), project(" 4 ", "市X会", "丙"))
    assert values(result, "seq") == [(1,), (2,), (3,), (4,)]


def test_read_linked_units_every_separator_kept_in_order_without_repeats():
    cell = "甲科协、乙科协，丙科协,丁科协；戊科协;己科协\n庚科协\r\n辛科协、 甲科协、\n壬/癸科协、"
    result = annex(project(districts=cell, upper="山东省医学会、\n", partners="\n"))
    assert values(result, "districts", "upper_units", "partners") == [(
        ["甲科协", "乙科协", "丙科协", "丁科协", "戊科协", "己科协", "庚科协", "辛科协", "壬/癸科协"], ["山东省医学会"], [])]


def test_read_cells_trimmed_and_line_breaks_joined():
    result = annex(project(society=" 市医学会\n", title="组织医务人员进社区、\n进工厂", due="5月\n中旬", contact="李健\n",
                           remarks=" 第一行\n第二行 "), project(2, "市AI学会", title="AI\nForum 2024"))
    assert values(result, "society", "title", "due_text", "contact", "remarks") == [
        ("市医学会", "组织医务人员进社区、进工厂", "5月中旬", "李健", "第一行\n第二行"),
        ("市AI学会", "AI Forum 2024", "6月", "盛敏", "")]


@pytest.mark.parametrize(("typed", "title"), [
    ("1.中国老科协老专家滕州行活动", "中国老科协老专家滕州行活动"),
    ("2、组织培训", "组织培训"),
    ("（1）组织培训", "组织培训"),
    ("(1)组织培训", "组织培训"),
    ("1．组织培训", "组织培训"),
    ("１．组织培训", "组织培训"),
    ("1)组织培训", "组织培训"),
    ("① 组织培训", "组织培训"),
    ("1.2024年度枣庄市工程建设质量管理小组活动公益培训", "2024年度枣庄市工程建设质量管理小组活动公益培训"),
    ("1.“5.12”护士节科普宣传活动", "“5.12”护士节科普宣传活动"),
    ("“5.12”护士节科普宣传活动", "“5.12”护士节科普宣传活动"),
    ("5.12护士节科普", "5.12护士节科普"),
    ("1.5.12护士节科普", "5.12护士节科普"),
    ("2.0版科普平台上线", "2.0版科普平台上线"),
    ("1、3D打印科普", "3D打印科普"),
    ("1.", "1."),
    ("2024年度工作会", "2024年度工作会"),
    ("肛肠分会、脾胃病分会专业委员会换届", "肛肠分会、脾胃病分会专业委员会换届"),
])
def test_read_title_list_number_stripped_only_before_text(typed, title):
    assert values(annex(project(title=typed)), "title") == [(title,)]


def test_read_unreadable_due_text_is_a_warning_not_an_error():
    result = annex(project(title="甲", due="待定"), project(title="乙", due=None))
    assert values(result, "due_text", "due_start", "due_end") == [("待定", None, None), ("", None, None)]
    assert result.warnings == [
        AnnexIssue("附件", 5, "完成时间", "“待定”无法确定完成日期，该项目导入后不设截止日期。"),
        AnnexIssue("附件", 6, "完成时间", "未填写完成时间，该项目导入后不设截止日期。"),
    ]


@pytest.mark.parametrize(("above", "year"), [
    ((["附件"], [TITLE_LINE.replace("2024", "2025")]), 2025),
    ((["2025年枣庄市科协重点项目清单"],), 2025),
    ((["2023/4/29"],), 2023),
    ((["2026年4月29日"],), 2026),
    (([datetime(2027, 4, 29)],), 2027),
    ((["（2025年）重点项目清单"], ["2024年12月20日"]), 2025),
])
def test_read_year_from_the_lines_above_the_table(above, year):
    assert annex(project(), above=above).year == year


def test_read_year_argument_wins_over_the_title():
    assert annex(project(), year=2030).year == 2030


def test_normalise_name_folds_width_and_white_space():
    assert normalise_name(" 枣庄　学院\n（东校区） ") == "枣庄学院(东校区)"
    assert normalise_name("ＡＢＣ 科协") == normalise_name("ABC科协")


# --- refusals of the content --------------------------------------------------------------------------------------


def test_refuse_no_sheet_with_the_header():
    assert refusal(xlsx([["附件"], ["市级学会", "联系人"], ["市医学会", "盛敏"]])) == [(
        None, None, None, "没有任何工作表含有清单表头（市级学会、重点改革品牌项目、协同联动单位、完成时间、联系人）。")]


def test_refuse_two_sheets_with_the_header_naming_both():
    table = [[TITLE_LINE], ONE_ROW, project()]
    assert refusal(book([("甲", table), ("乙", table)])) == [(
        None, None, None, "多个工作表都含有清单表头（“甲”, “乙”）：请指定要导入的工作表。")]


def test_refuse_named_sheet_absent():
    assert refusal(xlsx([[TITLE_LINE], ONE_ROW, project()]), sheet="清单") == [(
        None, None, None, "工作簿中没有名为“清单”的工作表（现有工作表：“附件”）。")]


def test_refuse_named_sheet_without_header():
    data = xlsx([[TITLE_LINE], ONE_ROW, project()], before=(("说明", [["请按附件填写"]]),))
    assert refusal(data, sheet="说明") == [(
        "说明", None, None, "该工作表中没有找到清单表头（市级学会、重点改革品牌项目、协同联动单位、完成时间、联系人）。")]


@pytest.mark.parametrize(("index", "name"), [
    (1, "市级学会"), (2, "重点改革品牌项目（重要特色活动）"), (3, "区、市科协"), (4, "上级学会（科研单位）"),
    (5, "科技企业（科技项目）"), (6, "完成时间"), (7, "联系人"),
])
def test_refuse_required_column_missing(index, name):
    header = [None if i == index else text for i, text in enumerate(ONE_ROW)]
    assert refusal(xlsx([[TITLE_LINE], header, project()])) == [("附件", 2, name, "缺少必需的列“{}”。".format(name))]


def test_refuse_two_row_header_without_sub_headers():
    assert refusal(xlsx([[TITLE_LINE], TOP, project()])) == [
        ("附件", 2, name, "缺少必需的列“{}”。".format(name)) for name in ("区、市科协", "上级学会（科研单位）", "科技企业（科技项目）")]


def test_refuse_unknown_year_together_with_the_problems_of_the_rows():
    assert refusal(xlsx([["附件"], ONE_ROW, project(), project(title=None)])) == [
        ("附件", None, None, "无法确定清单的年份：请指定年份，或在表格上方的标题中写明，如“（2025年）”。"),
        ("附件", 4, "重点改革品牌项目", "该行有内容，但没有填写项目名称。")]


def test_refuse_missing_column_and_unknown_year_without_reading_the_rows():
    header = [None if text == "联系人" else text for text in ONE_ROW]
    assert refusal(xlsx([header, project(title=None)])) == [
        ("附件", 1, "联系人", "缺少必需的列“联系人”。"),
        ("附件", None, None, "无法确定清单的年份：请指定年份，或在表格上方的标题中写明，如“（2025年）”。")]


def test_refuse_first_project_without_society():
    rows = [[TITLE_LINE], *([] for _ in range(3)), TOP, SUB, project(None, None)]
    assert refusal(xlsx(rows)) == [("附件", 7, "市级学会", "该项目没有填写市级学会，上方也没有可沿用的学会。")]


def test_refuse_new_seq_without_society():
    assert refusal(xlsx([[TITLE_LINE], ONE_ROW, project(1), project(2, None, "专家行")])) == [
        ("附件", 4, "市级学会", "该项目没有填写市级学会，上方也没有可沿用的学会。")]


def test_refuse_row_with_content_but_no_title():
    assert refusal(xlsx([[TITLE_LINE], ONE_ROW, project(), project(title="  ")])) == [
        ("附件", 4, "重点改革品牌项目", "该行有内容，但没有填写项目名称。")]


def test_refuse_same_society_and_title_twice_after_normalising():
    rows = [[TITLE_LINE], ONE_ROW, project(title="1.健康讲座"), project(society="市医学会 ", title="2.健康\n讲座")]
    assert refusal(xlsx(rows)) == [("附件", 4, "重点改革品牌项目", "同一学会的同名项目重复出现（首次出现在第 3 行）。")]


def test_refuse_collects_every_problem_of_the_rows():
    rows = [[TITLE_LINE], ONE_ROW, project(None, None), project(title=None), project(), project()]
    assert refusal(xlsx(rows)) == [
        ("附件", 3, "市级学会", "该项目没有填写市级学会，上方也没有可沿用的学会。"),
        ("附件", 4, "重点改革品牌项目", "该行有内容，但没有填写项目名称。"),
        ("附件", 6, "重点改革品牌项目", "同一学会的同名项目重复出现（首次出现在第 5 行）。"),
    ]


def test_refusal_str_names_sheet_row_and_column():
    with pytest.raises(AnnexRefused) as caught:
        read_annex(xlsx([[TITLE_LINE], ONE_ROW, project(title=None)]))
    assert str(caught.value) == "工作表“附件”第 3 行“重点改革品牌项目”列：该行有内容，但没有填写项目名称。"


# --- refusals of the file -----------------------------------------------------------------------------------------

NOT_XLSX = "这不是 Excel 工作簿（.xlsx）。"
TEXT = "这是文本或 CSV 文件，不是 Excel 工作簿：请在 Excel 或 WPS 中打开，另存为 .xlsx 后再导入。"
BROKEN = "文件已损坏或不完整，无法作为 .xlsx 读取：请在 Excel 或 WPS 中重新保存后再导入。"
BOMB = "工作簿解压后将超过 100 MB，疑为压缩炸弹，已拒绝导入。"
ENTITIES = "工作簿中含有 XML 实体声明，正常的 Excel 工作簿不会包含，已拒绝导入。"
CSV = "序号,市级学会,重点改革品牌项目,区、市科协,上级学会,科技企业,完成时间,联系人\n1,市医学会,健康讲座,市中区科协,山东省医学会,鲁南书城,6月,盛敏\n"


@pytest.mark.parametrize(("data", "message"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "这是旧版 Excel 97-2003 工作簿（.xls）：请在 Excel 或 WPS 中另存为 .xlsx 后再导入。"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "EncryptedPackage".encode("utf-16-le") + bytes(600),
     "工作簿已加密（设有密码）：请在 Excel 或 WPS 中取消密码，另存为 .xlsx 后再导入。"),
    (CSV.encode("gbk"), TEXT),
    (CSV.encode("utf-8"), TEXT),
    (CSV.encode("utf-8-sig"), TEXT),
    (CSV.encode("utf-16"), TEXT),
    ("这是一个改了扩展名的文本文件".encode("utf-8"), TEXT),
    (b"", NOT_XLSX),
    (bytes(range(256)) * 4, NOT_XLSX),
    (b"PK\x03\x04" + bytes(100), BROKEN),
])
def test_refuse_file_that_is_not_an_xlsx(data, message):
    assert refusal(data) == [(None, None, None, message)]


def test_refuse_truncated_workbook():
    data = WORKBOOK_2024.read_bytes()
    assert refusal(data[: len(data) // 2]) == [(None, None, None, BROKEN)]


def test_refuse_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert refusal(buffer.getvalue()) == [(None, None, None, "这个压缩文件不是 Excel 工作簿（缺少 xl/workbook.xml）。")]


def test_refuse_file_larger_than_the_limit(tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(WORKBOOK_2024.read_bytes() + bytes(600 * 1024))
    limit = 512 * 1024
    expected = [(None, None, None, "文件超过了 0.5 MB 的大小上限。")]
    with path.open("rb") as handle:
        assert [refusal(source, max_bytes=limit) for source in (path, str(path), path.read_bytes(), handle)] == [
            expected] * 4


def test_refuse_workbook_with_too_many_members():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(1001):
            archive.writestr("xl/media/{}.txt".format(number), "")
    assert refusal(buffer.getvalue()) == [(None, None, None, "工作簿内部文件过多（1002 个，最多 1000 个）。")]


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid-looking workbook whose sheet inflates from under 1 MB to 800 MB."""
    buffer = io.BytesIO(WORKBOOK_2024.read_bytes())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("xl/worksheets/sheet9.xml", "w", force_zip64=True) as member:
            for _ in range(800):
                member.write(b" " * (1 << 20))
    return buffer.getvalue()


def test_refuse_zip_bomb_quickly_with_little_memory(bomb):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        issues = refusal(bomb)
        elapsed, peak = time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (len(bomb) < 2 * 1024 * 1024, issues, elapsed < 2, peak < 200 * 1024 * 1024) == (
        True, [(None, None, None, BOMB)], True, True)


def test_refuse_zip_bomb_whose_header_lies_about_its_size():
    body = b" " * (60 * 1024 * 1024)
    data = bytearray(rewrite(WORKBOOK_2024.read_bytes(), {"xl/worksheets/sheet1.xml": body}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    central = data.rfind(b"PK\x01\x02", 0, data.find(b"PK\x05\x06"))
    while data[central + 46:central + 46 + len(info.filename)] != info.filename.encode():
        central = data.rfind(b"PK\x01\x02", 0, central)
    data[info.header_offset + 22:info.header_offset + 26] = (1000).to_bytes(4, "little")
    data[central + 24:central + 28] = (1000).to_bytes(4, "little")
    started = time.perf_counter()
    assert (refusal(bytes(data)), time.perf_counter() - started < 2) == ([(None, None, None, BROKEN)], True)


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join('<!ENTITY lol{} "{}">'.format(n, "&lol{};".format(n - 1 if n > 1 else "") * 10)
                    for n in range(1, 10))
          + "]>")
SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
         '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_refuse_billion_laughs_in_a_sheet(encoding):
    body = ('<?xml version="1.0" encoding="{}"?>'.format(encoding.upper()) + LAUGHS + SHEET).encode(encoding)
    data = rewrite(WORKBOOK_2024.read_bytes(), {"xl/worksheets/sheet1.xml": body})
    started = time.perf_counter()
    assert (refusal(data), time.perf_counter() - started < 2) == ([(None, None, None, ENTITIES)], True)


def test_refuse_sheet_with_content_beyond_the_row_cap(monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_ROWS", 5)
    data = xlsx([[TITLE_LINE], ONE_ROW, *(project(title="项目{}".format(n)) for n in range(4))])
    assert refusal(data) == [("附件", None, None, "工作表超过 5 行。")]


def test_read_blank_rows_beyond_the_row_cap_and_cells_beyond_the_column_cap_ignored(monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_ROWS", 5)
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx([[TITLE_LINE], ONE_ROW, project()])))
    workbook.active.cell(row=2, column=150, value="备注")
    workbook.active.cell(row=3, column=150, value="不在表内")
    workbook.active.cell(row=50, column=1).number_format = "@"  # formatted but empty, far below
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert values(read_annex(buffer.getvalue()), "title", "remarks") == [("健康讲座", "")]


def test_read_5000_projects_within_three_times_a_bare_read_only_read():
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("附件")
    for line in ([TITLE_LINE], TOP, SUB):
        sheet.append(line)
    for number in range(5000):
        first = number % 5 == 0
        sheet.append(project(number // 5 + 1 if first else None, "市第{}学会".format(number // 5) if first else None,
                             "{}.第{}个项目：科普宣传与学术交流".format(number % 5 + 1, number), "滕州市科协、\n市中区科协",
                             "山东省医学会、\n中国科学院化学所", "鲁南书城、\n中联水泥", "5月中旬", "李健" if first else None))
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()

    def bare():
        plain = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        for row in plain.active.iter_rows(values_only=True):
            pass
        plain.close()

    def timed(function) -> float:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            function()
            runs.append(time.perf_counter() - started)
        return min(runs)

    rows = read_annex(data).rows
    assert (len(rows), rows[-1].society, rows[-1].title) == (5000, "市第999学会", "第4999个项目：科普宣传与学术交流")
    assert timed(lambda: read_annex(data)) <= 3 * timed(bare)


def test_openpyxl_uses_defusedxml():
    assert openpyxl.DEFUSEDXML is True


# --- fuzzing ------------------------------------------------------------------------------------------------------

TEXTS = st.one_of(
    st.none(), st.integers(-5, 30), st.floats(allow_nan=True), st.sampled_from(
        [*filter(None, TOP + SUB + ONE_ROW), "协同联动单位", "注：说明", "1.", "2、讲座", "5月中旬", "待定", "市医学会",
         "甲、乙，丙", "", " ", "=1+1", "'=x", TITLE_LINE, "2024/4/29"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="=") | st.just("\n"), max_size=12),
)


# Vertical merges, one per column so that they never overlap: (column letter, first row, height).
MERGES = st.lists(st.tuples(st.sampled_from("ABCDEFGHI"), st.integers(1, 14), st.integers(1, 4)), max_size=4,
                  unique_by=lambda merge: merge[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(TEXTS, max_size=10), max_size=12), st.booleans(),
       st.sampled_from([(TOP, SUB), (ONE_ROW,), ()]), MERGES)
def test_fuzz_cells_and_layouts_refused_or_read(rows, title_line, header, merges):
    refs = tuple("{0}{1}:{0}{2}".format(col, top, top + height) for col, top, height in merges)
    data = xlsx([*([[TITLE_LINE]] if title_line else []), *header, *rows], merges=refs)
    try:
        result = read_annex(data)
    except AnnexRefused as refused:
        assert refused.issues and all(isinstance(issue.message, str) for issue in refused.issues)
    else:
        assert all(row.title and row.society for row in result.rows)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=2048),
       st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]))
def test_fuzz_random_bytes_refused(data, prefix):
    with pytest.raises(AnnexRefused):
        read_annex(prefix + data)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 8904), st.integers(0, 255)), min_size=1, max_size=4))
def test_fuzz_damaged_2024_workbook_refused_or_read(changes):
    data = bytearray(WORKBOOK_2024.read_bytes())
    for position, value in changes:
        data[position % len(data)] = value
    try:
        read_annex(bytes(data))
    except AnnexRefused as refused:
        assert refused.issues


def test_refusal_survives_pickling():
    refused = AnnexRefused([AnnexIssue("附件", 3, "联系人", "x")])
    assert pickle.loads(pickle.dumps(refused)).issues == [AnnexIssue("附件", 3, "联系人", "x")]
