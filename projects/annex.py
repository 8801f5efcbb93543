"""Read and write the annex list workbook (the key-project list of the plan), as docs/annex-format.md specifies.

`read_annex` turns an uploaded .xlsx into plain rows, or refuses it with every problem it can find (`AnnexRefused`);
`write_annex` lays projects out as the annex so that reading the file back gives the same data. Neither touches the
database: the import command matches names and saves, all or nothing.

The file comes from users, so it is checked before openpyxl parses any of it: kind of file, size, zip members
(declared and actual unpacked sizes, counted while inflating), and XML entity declarations. openpyxl then reads it
in read-only mode (fast, low memory); merged cells, which read-only mode does not report, are taken from the
sheets' <mergeCell> elements during that same check, and every cell of a merged range gets the range's value.
"""

import io
import os
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

import openpyxl
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.properties import PageSetupProperties

from projects.due import due_window
from sanlian.excel import CENTRED, HEADER_FONT, THIN_BORDER, WRAPPED, safe_text, unguard_text

if not openpyxl.DEFUSEDXML:  # never parse uploaded XML without it (installed from requirements.txt)
    raise ImportError("projects.annex needs defusedxml active in openpyxl (OPENPYXL_DEFUSEDXML must not be off)")

MAX_MEMBERS = 1000
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
_CHUNK = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MERGE_RE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref="([A-Za-z]{1,3}\d{1,7}:[A-Za-z]{1,3}\d{1,7})"')

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
_BREAK = re.compile(r"\s*[\r\n]+\s*")
_LATIN_BREAK = re.compile(r"(?<=[A-Za-z0-9])[^\S\r\n]*[\r\n]+\s*(?=[A-Za-z0-9])")


@dataclass(frozen=True)
class AnnexIssue:
    """One problem in the file; `row` is the Excel row (1-based), `column` the header text the file uses."""

    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.sheet is None:
            return self.message
        if self.row is None:
            where = _("Sheet “%(sheet)s”") % {"sheet": self.sheet}
        elif self.column is None:
            where = _("Sheet “%(sheet)s”, row %(row)s") % {"sheet": self.sheet, "row": self.row}
        else:
            where = _("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”") % {
                "sheet": self.sheet, "row": self.row, "column": self.column}
        return _("%(where)s: %(message)s") % {"where": where, "message": self.message}


class AnnexRefused(Exception):
    """The file cannot be imported; `issues` lists every problem found. `sheets` names the sheets that qualify
    when several do, so that a page can let the user choose one."""

    def __init__(self, issues: list[AnnexIssue], *, sheets: list[str] | None = None):
        self.issues = list(issues)
        self.sheets = list(sheets or [])
        super().__init__(self.issues)  # args = (issues,), so the exception survives pickling (task queues)

    def __str__(self) -> str:
        return "\n".join(map(str, self.issues))


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
    data = _read_bytes(source, max_bytes)
    merges = _check_package(data)
    names, sheets = _load_rows(data, merges, sheet)
    found = [(title, rows, header) for title, rows in sheets if (header := _find_header(rows))]
    if sheet is not None and not sheets:
        _refuse(None, None, None, _("The workbook has no sheet named “%(sheet)s” (it has: %(sheets)s).")
                % {"sheet": sheet, "sheets": ", ".join("“%s”" % name for name in names)})
    if sheet is not None and not found:
        _refuse(sheet, None, None, _("This sheet has no table header (市级学会, 重点改革品牌项目, 协同联动单位, "
                                     "完成时间, 联系人)."))
    if not found:
        _refuse(None, None, None, _("No sheet has the table header (市级学会, 重点改革品牌项目, 协同联动单位, "
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


def _refuse(sheet: str | None, row: int | None, column: str | None, message: str):
    raise AnnexRefused([AnnexIssue(sheet, row, column, message)])


def _read_bytes(source: str | os.PathLike | bytes | BinaryIO, max_bytes: int) -> bytes:
    too_big = _("The file is larger than the limit of %(limit)s MB.") % {"limit": round(max_bytes / 1024 / 1024, 1)}
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        if os.path.getsize(source) > max_bytes:  # refuse before reading it into memory
            _refuse(None, None, None, too_big)
        with open(source, "rb") as handle:
            data = handle.read(max_bytes + 1)
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        _refuse(None, None, None, too_big)
    return data


def _broken() -> str:
    return _("The file is damaged or incomplete and cannot be read as .xlsx: save it again in Excel or WPS.")


def _entities() -> str:
    return _("The workbook contains XML entity declarations, which an Excel workbook never needs; it is refused.")


def _check_package(data: bytes) -> dict[str, list[str]]:
    """Refuse anything but a sane .xlsx package; return the merged ranges of each worksheet member."""
    if data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            _refuse(None, None, None, _("The workbook is encrypted (it has a password): remove the password in "
                                        "Excel or WPS, save it as .xlsx and import that."))
        _refuse(None, None, None, _("This is an old Excel 97–2003 workbook (.xls): save it as .xlsx in Excel or "
                                    "WPS and import that."))
    if not data.startswith(b"PK"):
        if data and _looks_like_text(data[:8192]):
            _refuse(None, None, None, _("This is a text or CSV file, not an Excel workbook: open it in Excel or WPS "
                                        "and save it as .xlsx."))
        _refuse(None, None, None, _("This is not an Excel workbook (.xlsx)."))
    broken = _broken()
    bomb = _("The workbook would unpack to more than %(limit)s MB; it is refused as a possible zip bomb.") % {
        "limit": MAX_TOTAL_BYTES // 1024 // 1024}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except Exception:  # hostile input can make zipfile raise almost anything; all of it means "not readable"
        _refuse(None, None, None, broken)
    if len(members) > MAX_MEMBERS:
        _refuse(None, None, None, _("The workbook has too many parts (%(count)s; at most %(limit)s).")
                % {"count": len(members), "limit": MAX_MEMBERS})
    if "xl/workbook.xml" not in {info.filename for info in members}:
        _refuse(None, None, None, _("This zip file is not an Excel workbook (it has no xl/workbook.xml)."))
    if (any(info.file_size > MAX_MEMBER_BYTES for info in members)
            or sum(info.file_size for info in members) > MAX_TOTAL_BYTES):
        _refuse(None, None, None, bomb)
    merges: dict[str, list[str]] = {}
    total = 0
    for info in members:
        # Inflate every member with a byte counter: the declared sizes above may lie.
        size, tail, found = 0, b"", set()
        # Only the XML parts are parsed; an SVG picture or an embedded file may hold a DTD of its own.
        xml = info.filename.endswith((".xml", ".rels"))
        try:
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
                        _refuse(None, None, None, bomb)
                    window = tail + chunk
                    if xml and (b"<!DOCTYPE" in window or b"<!ENTITY" in window):
                        _refuse(None, None, None, _entities())
                    if xml and b"mergeCell" in window:
                        found.update(ref.decode() for ref in _MERGE_RE.findall(window))
                    tail = chunk[-256:]
        except AnnexRefused:
            raise
        except Exception:
            _refuse(None, None, None, broken)
        merges[info.filename] = sorted(found)
    return merges


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            if error.start >= len(head) - 4:  # a character cut off by the 8 KB sample
                return True
        else:
            return True
    return False


def _load_rows(data: bytes, merges: dict[str, list[str]], only: str | None
               ) -> tuple[list[str], list[tuple[str, list[list]]]]:
    """The sheet names, and the cell values (rows and columns capped, merged ranges filled) of each worksheet
    (only the one named `only` when given), via read-only openpyxl."""
    names: list[str] = []
    sheets = []
    workbook = None
    try:
        with warnings.catch_warnings():  # openpyxl warns about extensions it skips; nothing for the user
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            names = workbook.sheetnames
            for worksheet in workbook.worksheets:
                if only is not None and worksheet.title.strip() != only.strip():
                    continue
                rows = _worksheet_rows(worksheet)
                _fill_merges(rows, merges.get(worksheet._worksheet_path.lstrip("/"), []))
                sheets.append((worksheet.title, rows))
    except AnnexRefused:
        raise
    except Exception as error:  # openpyxl on a damaged package can raise anything
        # defusedxml's refusal may come wrapped (openpyxl re-raises it as a ValueError "from" it).
        while error is not None and not isinstance(error, DefusedXmlException):
            error = error.__cause__ or error.__context__
        _refuse(None, None, None, _entities() if error is not None else _broken())
    finally:
        if workbook is not None:
            workbook.close()
    return names, sheets


def _worksheet_rows(worksheet) -> list[list]:
    # The stored dimensions may be wrong (other writers), so ignore them and read what the sheet holds.
    worksheet.reset_dimensions()
    rows: list[list] = []
    for values in worksheet.iter_rows(values_only=True):
        if len(rows) < MAX_ROWS:
            rows.append(list(values[:MAX_COLUMNS]))
        elif any(value not in (None, "") for value in values[:MAX_COLUMNS]):
            _refuse(worksheet.title, None, None, _("The sheet has more than %(limit)s rows.") % {"limit": MAX_ROWS})
    return rows


def _fill_merges(rows: list[list], refs: list[str]) -> None:
    """Give every cell of a merged range the value of its top-left cell, as the reader of the sheet sees it."""
    budget = MAX_ROWS * MAX_COLUMNS  # overlapping ranges (invalid anyway) must not make this quadratic
    for ref in refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if not 1 <= min_row <= min(max_row, len(rows)) or not 1 <= min_col <= min(max_col, MAX_COLUMNS):
            continue
        top = rows[min_row - 1]
        value = top[min_col - 1] if min_col <= len(top) else None
        width = min(max_col, MAX_COLUMNS)
        if value is None:
            continue
        for row in rows[min_row - 1:max_row]:
            budget -= width - min_col + 1
            if budget < 0:
                return
            row.extend([None] * (width - len(row)))
            row[min_col - 1:width] = [value] * (width - min_col + 1)


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


def _text(value: Any) -> str:
    """A cell value as text: numbers without a spurious ".0", dates as 年月日, the formula guard removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return "{}年{}月{}日".format(value.year, value.month, value.day)
    return unguard_text(value) if isinstance(value, str) else str(value)


def _line(text: str) -> str:
    """One line: line breaks joined (with a space only between two Latin letters or digits), spaces collapsed."""
    return _SPACE.sub(" ", _BREAK.sub("", _LATIN_BREAK.sub(" ", text))).strip()


def _units(text: str) -> list[str]:
    """The units of a linked-unit cell, in order, without empty ones and repeats."""
    units: dict[str, str] = {}
    for part in _UNIT_SEPARATORS.split(text):
        unit = _line(part)
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
        texts = [text for text in map(_text, row) if text.strip()]
        if not texts:
            continue
        cell = {key: _text(row[col]) if col < len(row) else "" for key, col in columns.items()}
        title = _strip_number(_line(cell[TITLE]))
        bare = not title and not any(cell[key] for key in (*_LINKED, DUE))
        first = texts[0].strip()
        # "注：…" closes the table, written in the first cells or merged across the row; lines after it are notes.
        if first.startswith(("注", "说明", "备注")) and (bare or len(set(texts)) == 1 and _NOTE.match(first)):
            in_notes = True
            continue
        if (in_notes and bare) or any(
                key in names and _SPACE.sub("", cell[key]) == names[key] for key in (TITLE, DISTRICTS)):
            continue  # a note's continuation, or the header repeated (e.g. on a second printed page)
        seq_text, society, contact = _line(cell.get(SEQ, "")), _line(cell[SOCIETY]), _line(cell[CONTACT])
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
