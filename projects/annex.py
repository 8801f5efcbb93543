"""Read and write the annex list workbook (the key-project list of the plan), as the annex format specifies (README,
“The annex list”).

`read_annex` turns an uploaded .xlsx into plain rows, or refuses it with every problem it can find (`AnnexRefused`);
`write_annex` lays projects out as the annex so that reading the file back gives the same data. Neither touches the
database: the import command matches names and saves, all or nothing. The file is checked and loaded safely by
``sanlian.workbook`` (package checks, read-only loading, merged cells filled).
"""

import io
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.worksheet.properties import PageSetupProperties

from projects.due import due_window
from sanlian.excel import CENTRED, HEADER_FONT, THIN_BORDER, WRAPPED, safe_text
from sanlian.workbook import WorkbookIssue as AnnexIssue
from sanlian.workbook import WorkbookRefused as AnnexRefused
from sanlian.workbook import cell_text, check_package, load_sheets, one_line, read_bytes, refuse

# Column keys, in the annex's order, with the names the file uses (for messages and for writing).
SEQ, SOCIETY, TITLE, DISTRICTS, UPPER, PARTNERS, DUE, CONTACT, REMARKS = (
    "seq", "society", "title", "districts", "upper_units", "partners", "due", "contact", "remarks")
COLUMN_NAMES = {
    SEQ: "序号", SOCIETY: "市级学会", TITLE: "重点改革品牌项目（重要特色活动）", DISTRICTS: "区、市科协",
    UPPER: "上级学会（科研单位）", PARTNERS: "科技企业（科技项目）", DUE: "完成时间", CONTACT: "联系人", REMARKS: "备注",
}
GROUP_NAME = "协同联动单位"
_GROUP = "group"
_LINKED = (DISTRICTS, UPPER, PARTNERS)
_REQUIRED = (SOCIETY, TITLE, DISTRICTS, UPPER, PARTNERS, DUE, CONTACT)
# Header cell text (NFKC, without white space and the punctuation people vary) → column key: by prefix, or exact.
_HEADER_PREFIXES = (
    (SEQ, ("序号", "编号")), (SOCIETY, ("市级学会", "学会名称", "牵头学会")),
    (TITLE, ("重点改革品牌项目", "重点项目", "重要特色活动", "项目名称", "活动名称")),
    (DISTRICTS, ("区市科协", "区县科协", "县区科协", "区科协", "区县市科协", "区市县科协")),
    (UPPER, ("上级学会",)), (PARTNERS, ("科技企业",)),
    (DUE, ("完成时间", "完成时限", "完成期限", "计划完成时间", "时间节点")), (CONTACT, ("联系人",)), (REMARKS, ("备注",)),
    (_GROUP, ("协同联动单位", "协同单位", "联动单位")),
)
_HEADER_EXACT = {"学会": SOCIETY, "项目": TITLE, "时间": DUE}
_HEADER_NOISE = re.compile(r"[\s、,;:()\[\]【】《》*]")
_UNIT_SEPARATORS = re.compile(r"[、，,；;\r\n]+")
# A list number before a title: "1." "1、" "1)" "(1)" or a circled/parenthesised digit ("①" "⑴" "⒈").
_LIST_NUMBER = re.compile(r"(?:\(\s*\d+\s*\)|[①-⑳⑴-⒇⒈-⒛]|\d+\s*([.、)]))\s*")
# Full-width digits and punctuation folded one to one (NFKC could change lengths, e.g. "⑴" → "(1)").
_FOLD = str.maketrans("０１２３４５６７８９．（）", "0123456789.()")
_NOTE = re.compile(r"(?:注|说明|备注)\s*[:：0-9]")
_SPACE = re.compile(r"\s+")


@dataclass
class AnnexRow:
    """One project as the annex gives it; names are as typed (trimmed), not yet matched to organisations."""

    sheet: str
    row: int
    seq: int | None
    society: str
    title: str
    districts: list[str]
    upper_units: list[str]
    partners: list[str]
    due_text: str
    due_start: date | None
    due_end: date | None
    contact: str
    remarks: str


@dataclass
class Annex:
    """A readable annex: its sheet, year, projects in file order, and warnings (e.g. a 完成时间 with no date)."""

    sheet: str
    year: int
    rows: list[AnnexRow]
    warnings: list[AnnexIssue]


@dataclass
class _Header:
    top: int  # index of the (first) header row in the sheet's rows
    row: int  # index of the last header row
    columns: dict[str, int]  # key → column index
    names: dict[str, str]  # key → header text as the file writes it (without white space)


def normalise_name(name: str) -> str:
    """The matching key of a name: NFKC (full-width → half-width) with all white space removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", name))


# --- reading ----------------------------------------------------------------------------------------------------


def read_annex(source: str | os.PathLike | bytes | BinaryIO, *, year: int | None = None, sheet: str | None = None,
               max_bytes: int = 10 * 1024 * 1024) -> Annex:
    """Read an annex workbook (a path, bytes, or a binary file object); raise `AnnexRefused` if it cannot be used.

    `year` overrides the year found above the table; `sheet` names the sheet when several have the header.
    """
    data = read_bytes(source, max_bytes)
    merges = check_package(data)
    names, sheets = load_sheets(data, merges, sheet)
    found = [(title, rows, header) for title, rows in sheets if (header := _find_header(rows))]
    if sheet is not None and not sheets:
        refuse(None, None, None, _("The workbook has no sheet named “%(sheet)s” (it has: %(sheets)s).")
                % {"sheet": sheet, "sheets": ", ".join("“%s”" % name for name in names)})
    if sheet is not None and not found:
        refuse(sheet, None, None, _("This sheet has no table header (市级学会, 重点改革品牌项目, 协同联动单位, "
                                     "完成时间, 联系人)."))
    if not found:
        refuse(None, None, None, _("No sheet has the table header (市级学会, 重点改革品牌项目, 协同联动单位, "
                                    "完成时间, 联系人)."))
    if len(found) > 1:
        titles = [title for title, _rows, _header in found]
        raise AnnexRefused([AnnexIssue(None, None, None, _(
            "Several sheets have the table header (%(sheets)s): name the one to import.")
            % {"sheets": ", ".join("“%s”" % title for title in titles)})], sheets=titles)
    title, rows, header = found[0]
    issues = [AnnexIssue(title, header.top + 1, COLUMN_NAMES[key], _("Required column “%(column)s” is missing.")
                         % {"column": COLUMN_NAMES[key]}) for key in _REQUIRED if key not in header.columns]
    if year is None:
        year = _find_year(rows[:header.top])
        if year is None:
            issues.append(AnnexIssue(title, None, None, _(
                "The year of the list is unknown: give it explicitly, or write it in the title above the table, "
                "e.g. “（2025年）”.")))
    if len(issues) > (year is None):  # without its columns the rows cannot be read at all
        raise AnnexRefused(issues)
    projects, row_issues, notes = _read_projects(title, rows, header, year)
    if issues + row_issues:
        raise AnnexRefused(issues + row_issues)
    return Annex(sheet=title, year=year, rows=projects, warnings=notes)


def _header_key(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    text = _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", value))
    if text in _HEADER_EXACT:
        return _HEADER_EXACT[text]
    return next((key for key, prefixes in _HEADER_PREFIXES if text.startswith(prefixes)), None)


def _row_keys(row: list) -> dict[int, str]:
    keys: dict[int, str] = {}
    for index, value in enumerate(row):
        key = _header_key(value)
        if key and key not in keys.values():
            keys[index] = key
    return keys


def _find_header(rows: list[list]) -> _Header | None:
    """The table's header: the first row naming at least three annex columns, with its sub-header row if any."""
    for index, row in enumerate(rows):
        keys = _row_keys(row)
        if len(keys) < 3:
            continue
        below = _row_keys(rows[index + 1]) if index + 1 < len(rows) else {}
        linked = {col: key for col, key in below.items() if key in _LINKED and key not in keys.values()}
        if _GROUP not in keys.values() and len(linked) < 2:
            linked = {}  # a lone match in the next row is data (a unit named "科技企业…"), not a sub-header
        last = index + 1 if linked else index
        keys.update(linked)
        columns = {key: col for col, key in keys.items() if key != _GROUP}
        names = {key: _SPACE.sub("", rows[index + 1 if key in linked.values() else index][col])
                 for key, col in columns.items()}
        return _Header(top=index, row=last, columns=columns, names=names)
    return None


def _find_year(rows: list[list]) -> int | None:
    """The list's year from the lines above the table: a year in the title wins over a date."""
    title_years, date_years = [], []
    for row in rows:
        for value in row:
            if isinstance(value, (datetime, date)):
                date_years.append(value.year)
            elif isinstance(value, str):
                text = unicodedata.normalize("NFKC", value)
                date_years += re.findall(r"(\d{4})\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}", text)
                title_years += re.findall(r"(\d{4})\s*年(?!\s*\d{1,2}\s*月\s*\d{1,2})", text)
    years = [int(y) for y in title_years + date_years if 2000 <= int(y) <= 2100]
    return years[0] if years else None


def _units(text: str) -> list[str]:
    """The units of a linked-unit cell, in order, without empty ones and repeats."""
    units: dict[str, str] = {}
    for part in _UNIT_SEPARATORS.split(text):
        unit = one_line(part)
        if unit:
            units.setdefault(normalise_name(unit), unit)
    return list(units.values())


def _strip_number(title: str) -> str:
    """Drop a leading list number ("1." "2、" "（1）" "1)") when text follows it; "5.12护士节" keeps its date."""
    match = _LIST_NUMBER.match(title.translate(_FOLD))
    rest = title[match.end():] if match else ""
    if not rest:
        return title
    folded = rest[:8].translate(_FOLD)
    if match[1] == "." and folded[:1].isdigit() and not re.match(r"\d{4}年|\d+\.\d", folded):
        return title  # "5.12…", "2.0版…": the digits are part of the title
    return rest


def _seq(text: str) -> int | None:
    match = re.fullmatch(r"(\d+)(?:\.0+)?", unicodedata.normalize("NFKC", text))
    return int(match[1]) if match else None


def _read_projects(sheet: str, rows: list[list], header: _Header, year: int | None
                   ) -> tuple[list[AnnexRow], list[AnnexIssue], list[AnnexIssue]]:
    """The projects under the header, with the problems that refuse the file and the warnings that do not.

    Without a year (the file is refused for it anyway) the rows are still checked, but no due window is derived.
    """
    columns, names = header.columns, header.names
    projects: list[AnnexRow] = []
    issues: list[AnnexIssue] = []
    notes: list[AnnexIssue] = []
    seen: dict[tuple[str, str], int] = {}
    group: dict[str, str] | None = None  # the society block the row belongs to: seq, society, contact
    in_notes = False
    for index in range(header.row + 1, len(rows)):
        row, number = rows[index], index + 1
        texts = [text for text in map(cell_text, row) if text.strip()]
        if not texts:
            continue
        cell = {key: cell_text(row[col]) if col < len(row) else "" for key, col in columns.items()}
        title = _strip_number(one_line(cell[TITLE]))
        bare = not title and not any(cell[key] for key in (*_LINKED, DUE))
        first = texts[0].strip()
        # "注：…" closes the table, written in the first cells or merged across the row; lines after it are notes.
        if first.startswith(("注", "说明", "备注")) and (bare or len(set(texts)) == 1 and _NOTE.match(first)):
            in_notes = True
            continue
        if (in_notes and bare) or any(
                key in names and _SPACE.sub("", cell[key]) == names[key] for key in (TITLE, DISTRICTS)):
            continue  # a note's continuation, or the header repeated (e.g. on a second printed page)
        seq_text, society, contact = one_line(cell.get(SEQ, "")), one_line(cell[SOCIETY]), one_line(cell[CONTACT])
        if society:
            if group is None or normalise_name(society) != normalise_name(group["society"]) or (
                    seq_text and seq_text != group["seq"]):
                group = {"seq": seq_text, "society": society, "contact": ""}
        elif group is None or (seq_text and seq_text != group["seq"]):
            group = None  # a new 序号 without a society starts a block that has none
        where = (sheet, number)
        if group is None:
            issues.append(AnnexIssue(*where, names[SOCIETY], _(
                "The project has no society (市级学会), and there is none above it to carry down.")))
        else:
            society = group["society"]
            group["contact"] = contact = contact or group["contact"]
        if not title:
            issues.append(AnnexIssue(*where, names[TITLE], _("The row has content but no project title.")))
        if group is None or not title:
            continue
        key = (normalise_name(society), normalise_name(title))
        if key in seen:
            issues.append(AnnexIssue(*where, names[TITLE], _(
                "The same society and project title appear twice (first in row %(row)s).") % {"row": seen[key]}))
            continue
        seen[key] = number
        due_text = _SPACE.sub("", cell[DUE])
        window = due_window(due_text, year) if year else None
        if window is None and year:
            notes.append(AnnexIssue(*where, names[DUE], _(
                "“%(text)s” gives no due date; the project is imported without one.") % {"text": due_text}
                if due_text else _("No completion time is given; the project is imported without a due date.")))
        projects.append(AnnexRow(
            sheet=sheet, row=number, seq=_seq(seq_text or group["seq"]), society=society, title=title,
            districts=_units(cell[DISTRICTS]), upper_units=_units(cell[UPPER]), partners=_units(cell[PARTNERS]),
            due_text=due_text, due_start=window[0] if window else None, due_end=window[1] if window else None,
            contact=contact, remarks="\n".join(line.strip() for line in cell.get(REMARKS, "").splitlines()).strip(),
        ))
    return projects, issues, notes


# --- writing ----------------------------------------------------------------------------------------------------

_WIDTHS = {"A": 6, "B": 18, "C": 42, "D": 16, "E": 24, "F": 24, "G": 11, "H": 11, "I": 16}
_ORDER = (SEQ, SOCIETY, TITLE, DISTRICTS, UPPER, PARTNERS, DUE, CONTACT, REMARKS)


def write_annex(year: int, projects: list[dict]) -> bytes:
    """The projects as an annex workbook (.xlsx bytes) that `read_annex` reads back to the same data.

    `projects` are dicts with seq, society, title, districts, upper_units, partners, due_text, contact, remarks
    (status and other keys are ignored). A society's projects are written together, in order of first appearance.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "附件"
    sheet["A1"] = "附件"
    sheet["A2"] = "枣庄市科协“三联三促”行动重点改革品牌项目、重要特色活动清单（{}年）".format(year)
    sheet["A2"].font = Font(bold=True, size=16)
    sheet["A2"].alignment = CENTRED
    sheet.merge_cells("A2:I2")
    sheet.row_dimensions[2].height = 32
    for col, key in enumerate(_ORDER, start=1):
        top, sub = (GROUP_NAME, COLUMN_NAMES[key]) if key in _LINKED else (COLUMN_NAMES[key], None)
        _put(sheet, 3, col, top, CENTRED, bold=True)
        _put(sheet, 4, col, sub, CENTRED, bold=True)
        if sub is None:
            sheet.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    sheet.merge_cells("D3:F3")

    groups: dict[str, list[dict]] = {}
    for project in projects:
        groups.setdefault(normalise_name(project["society"]), []).append(project)
    row = 5
    for members in groups.values():
        first, last = row, row + len(members) - 1
        contacts = {member.get("contact") or "" for member in members}
        for number, project in enumerate(members, start=1):
            title = project["title"]
            if len(members) > 1 or _strip_number(title) != title:
                # "、" after the number when the title starts with a digit: "1.5.12…" would read as a decimal.
                title = "{}{}{}".format(number, "、" if title[:1].isdigit() else ".", title)
            values = {**project, TITLE: title, DUE: project.get("due_text") or ""}
            for col, key in enumerate(_ORDER, start=1):
                value = values.get(key)
                if key in _LINKED:
                    value = "\n".join(value or [])
                if row == first or key not in (SEQ, SOCIETY) and not (key == CONTACT and len(contacts) == 1):
                    _put(sheet, row, col, value, CENTRED if key in (SEQ, DUE, CONTACT) else WRAPPED)
                else:
                    _put(sheet, row, col, None, WRAPPED)
            row += 1
        if last > first:
            for key in (SEQ, SOCIETY) + ((CONTACT,) if len(contacts) == 1 else ()):
                col = _ORDER.index(key) + 1
                sheet.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)

    for letter, width in _WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A5"
    sheet.print_title_rows = "3:4"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(sheet, row: int, col: int, value: Any, alignment, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=col, value=safe_text(value if value != "" else None))
    cell.border = THIN_BORDER
    cell.alignment = alignment
    if bold:
        cell.font = HEADER_FONT
