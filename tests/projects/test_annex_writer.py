"""Writing the annex workbook: its layout, formula safety, and the round trip through `read_annex`."""

import io
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.annex import normalise_name, read_annex, write_annex
from sanlian.excel import safe_text, unguard_text

# The product's own copy of ../shared/annex/annex-2024.expected.json (tests must not depend on the checkout's place).
EXPECTED_2024 = json.loads((Path(__file__).resolve().parent / "annex-2024.expected.json").read_text(encoding="utf-8"))
FIELDS = ("seq", "society", "title", "districts", "upper_units", "partners", "due_text", "contact", "remarks")


def project(**fields) -> dict:
    base = {"seq": 1, "society": "市医学会", "title": "健康讲座", "districts": ["市中区科协"], "upper_units": ["山东省医学会"],
            "partners": ["鲁南书城"], "due_text": "6月", "contact": "盛敏", "remarks": "", "status": "planned"}
    return {**base, **fields}


def read_back(year: int, projects: list[dict]) -> list[dict]:
    result = read_annex(write_annex(year, projects))
    assert result.year == year
    return [{field: getattr(row, field) for field in FIELDS} for row in result.rows]


def sheet_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))["附件"]


def test_write_2024_list_reads_back_the_same():
    projects = [{**item, "remarks": ""} for item in EXPECTED_2024["projects"]]
    assert read_back(2024, projects) == projects


def test_write_formula_looking_text_stays_text():
    risky = project(society="@市医学会", title="=1+1", districts=["-5", "=A1"], upper_units=["+86 123"],
                    partners=["@x", "Tab公司"], due_text="-5", contact="+86 123", remarks="=HYPERLINK(\"x\")\n=2")
    data = write_annex(2025, [risky, project(society="@市医学会", title="-减负行动", contact="+86 123")])
    cells = {cell.coordinate: cell for row in sheet_of(data).iter_rows() for cell in row if cell.value is not None}
    assert [coordinate for coordinate, cell in cells.items() if cell.data_type == "f"] == []
    assert {coordinate: cells[coordinate].value for coordinate in ("B5", "C5", "C6", "D5", "G5", "H5", "I5")} == {
        "B5": "'@市医学会", "C5": "1.=1+1", "C6": "2.-减负行动", "D5": "'-5\n=A1", "G5": "'-5", "H5": "'+86 123",
        "I5": "'=HYPERLINK(\"x\")\n=2"}
    assert read_back(2025, [risky]) == [{key: risky[key] for key in FIELDS}]


def test_write_layout_merges_header_and_print_setup():
    projects = [project(title="讲座一"), project(title="讲座二"), project(seq=2, society="市老科协", title="专家行", contact="李健"),
                project(seq=3, society="市护理学会", title="培训甲", contact="甲"),
                project(seq=3, society="市护理学会", title="培训乙", contact="乙")]
    sheet = sheet_of(write_annex(2024, projects))
    header = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=1, max_row=4)]
    assert header == [
        ["附件"] + [None] * 8,
        ["枣庄市科协“三联三促”行动重点改革品牌项目、重要特色活动清单（2024年）"] + [None] * 8,
        ["序号", "市级学会", "重点改革品牌项目（重要特色活动）", "协同联动单位", None, None, "完成时间", "联系人", "备注"],
        [None, None, None, "区、市科协", "上级学会（科研单位）", "科技企业（科技项目）", None, None, None],
    ]
    assert sorted(map(str, sheet.merged_cells.ranges)) == sorted([
        "A2:I2", "A3:A4", "B3:B4", "C3:C4", "D3:F3", "G3:G4", "H3:H4", "I3:I4",
        "A5:A6", "B5:B6", "H5:H6", "A8:A9", "B8:B9"])
    assert [sheet.cell(row, 3).value for row in range(5, 10)] == ["1.讲座一", "2.讲座二", "专家行", "1.培训甲", "2.培训乙"]
    setup = sheet.page_setup
    assert (sheet.freeze_panes, sheet.print_title_rows, setup.orientation, setup.paperSize, setup.fitToWidth,
            setup.fitToHeight, sheet.sheet_properties.pageSetUpPr.fitToPage) == (
        "A5", "$3:$4", "landscape", 9, 1, 0, True)
    assert ({sheet[ref].font.b for ref in ("A3", "D3", "D4", "I3")}, sheet["D4"].alignment.horizontal) == (
        {True}, "center")
    assert (sheet["E5"].alignment.wrap_text, sheet["C9"].border.left.style, sheet["I9"].border.bottom.style) == (
        True, "thin", "thin")
    assert [sheet.column_dimensions[letter].width for letter in "ABCDEFGHI"] == [6, 18, 42, 16, 24, 24, 11, 11, 16]


def test_write_units_one_per_line():
    sheet = sheet_of(write_annex(2024, [project(partners=["国新粮油", "中联水泥", "建设银行"])]))
    assert sheet["F5"].value == "国新粮油\n中联水泥\n建设银行"


def test_write_titles_that_start_with_digits_or_numbers_read_back_the_same():
    titles = ["2024年度质量管理培训", "5.12护士节科普", "3D打印科普", "1.已编号的标题", "（1）括号编号"]
    projects = [project(title=title) for title in titles] + [project(seq=2, society="市老科协", title="（2）单个项目")]
    assert [item["title"] for item in read_back(2024, projects)] == titles + ["（2）单个项目"]


def test_write_society_projects_grouped_in_order_of_first_appearance():
    projects = [project(title="甲"), project(seq=2, society="市老科协", title="乙", contact="李健"), project(title="丙")]
    assert [(item["society"], item["title"]) for item in read_back(2024, projects)] == [
        ("市医学会", "甲"), ("市医学会", "丙"), ("市老科协", "乙")]


def test_write_empty_list_is_a_header_only_workbook():
    sheet = sheet_of(write_annex(2024, []))
    assert (sheet.max_row, sheet["C3"].value) == (4, "重点改革品牌项目（重要特色活动）")


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+86 123", "'+86 123"), ("-5", "'-5"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("市医学会", "市医学会"), ("a=b", "a=b"), ("", ""), ("李\x00健\x1b", "李健"), (5, 5), (None, None), (1.5, 1.5),
])
def test_safe_text_guards_formulas(value, written):
    assert safe_text(value) == written


@pytest.mark.parametrize("value", ["=1+1", "+86 123", "-5", "@x", "'x", "'", "市医学会", ""])
def test_unguard_text_inverts_safe_text(value):
    assert unguard_text(safe_text(value)) == value


def test_unguard_text_drops_an_apostrophe_only_before_a_formula_trigger():
    # A title typed as "'=x" therefore reads back as "=x": the guard and a literal apostrophe look the same.
    assert [unguard_text(text) for text in ("'=x", "'-5", "'x", "''=x", "x'=")] == ["=x", "-5", "'x", "''=x", "x'="]


def test_safe_text_cell_is_stored_as_string():
    cell = openpyxl.Workbook().active["A1"]
    cell.value = safe_text("=SUM(A2:A3)")
    assert (cell.value, cell.data_type) == ("'=SUM(A2:A3)", "s")


NAME = st.text(st.sampled_from("科协学会讲座甲乙丙AB 12.、()（）=+-@5年月"), min_size=1, max_size=8).map(
    lambda text: " ".join(text.split())).filter(lambda text: text and not any(c in text for c in "、"))


@st.composite
def societies(draw) -> list[dict]:
    projects: list[dict] = []
    for number, society in enumerate(draw(st.lists(NAME, min_size=1, max_size=3, unique_by=normalise_name)), 1):
        seq, contact = draw(st.sampled_from([number, None])), draw(st.sampled_from(["", "盛敏", "+86 123"]))
        titles = draw(st.lists(st.text(st.sampled_from("讲座甲1.、（）()=+-@5年D 2"), min_size=1, max_size=10).map(
            lambda text: " ".join(text.split())).filter(bool), min_size=1, max_size=3, unique_by=normalise_name))
        for title in titles:
            projects.append(project(
                seq=seq, society=society, title=title, contact=contact,
                due_text=draw(st.sampled_from(["5月", "=1", "待定", ""])),
                districts=draw(st.lists(NAME, max_size=3, unique_by=normalise_name)),
                upper_units=draw(st.lists(NAME, max_size=2, unique_by=normalise_name)), partners=[],
                remarks="\n".join(draw(st.lists(st.sampled_from(["备注", "=x", "-1"]), max_size=2)))))
    return projects


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(societies())
def test_write_then_read_round_trip_of_any_clean_list(projects):
    assert read_back(2026, projects) == [{key: item[key] for key in FIELDS} for item in projects]
