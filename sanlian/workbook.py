"""Reading spreadsheets that users upload: every .xlsx is checked before openpyxl parses any of it — kind of file,
size, zip members (declared and actual unpacked sizes, counted while inflating), XML entity declarations — then read
in read-only mode (fast, low memory), with merged cells (which read-only mode does not report, taken from the sheets'
<mergeCell> elements during the check) filled with their range's value. Every problem is a ``WorkbookIssue`` (sheet,
row, column, message in the user's language) and a refusal a ``WorkbookRefused`` listing them. No domain here:
the annex list (``projects.annex``) and the other importers build on it.
"""

import io
import os
import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

import openpyxl
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from openpyxl.utils.cell import range_boundaries

from .excel import unguard_text

if not openpyxl.DEFUSEDXML:  # never parse uploaded XML without it (installed from requirements.txt)
    raise ImportError("sanlian.workbook needs defusedxml active in openpyxl (OPENPYXL_DEFUSEDXML must not be off)")

MAX_MEMBERS = 1000
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
_CHUNK = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MERGE_RE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref="([A-Za-z]{1,3}\d{1,7}:[A-Za-z]{1,3}\d{1,7})"')
_SPACE = re.compile(r"\s+")
_BREAK = re.compile(r"\s*[\r\n]+\s*")
_LATIN_BREAK = re.compile(r"(?<=[A-Za-z0-9])[^\S\r\n]*[\r\n]+\s*(?=[A-Za-z0-9])")


@dataclass(frozen=True)
class WorkbookIssue:
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


class WorkbookRefused(Exception):
    """The file cannot be imported; `issues` lists every problem found. `sheets` names the sheets that qualify
    when several do, so that a page can let the user choose one."""

    def __init__(self, issues: list[WorkbookIssue], *, sheets: list[str] | None = None):
        self.issues = list(issues)
        self.sheets = list(sheets or [])
        super().__init__(self.issues)  # args = (issues,), so the exception survives pickling (task queues)

    def __str__(self) -> str:
        return "\n".join(map(str, self.issues))




def refuse(sheet: str | None, row: int | None, column: str | None, message: str):
    raise WorkbookRefused([WorkbookIssue(sheet, row, column, message)])


def read_bytes(source: str | os.PathLike | bytes | BinaryIO, max_bytes: int) -> bytes:
    too_big = _("The file is larger than the limit of %(limit)s MB.") % {"limit": round(max_bytes / 1024 / 1024, 1)}
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        if os.path.getsize(source) > max_bytes:  # refuse before reading it into memory
            refuse(None, None, None, too_big)
        with open(source, "rb") as handle:
            data = handle.read(max_bytes + 1)
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        refuse(None, None, None, too_big)
    return data


def broken() -> str:
    return _("The file is damaged or incomplete and cannot be read as .xlsx: save it again in Excel or WPS.")


def entities() -> str:
    return _("The workbook contains XML entity declarations, which an Excel workbook never needs; it is refused.")


def check_package(data: bytes) -> dict[str, list[str]]:
    """Refuse anything but a sane .xlsx package; return the merged ranges of each worksheet member."""
    if data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            refuse(None, None, None, _("The workbook is encrypted (it has a password): remove the password in "
                                        "Excel or WPS, save it as .xlsx and import that."))
        refuse(None, None, None, _("This is an old Excel 97–2003 workbook (.xls): save it as .xlsx in Excel or "
                                    "WPS and import that."))
    if not data.startswith(b"PK"):
        if data and looks_like_text(data[:8192]):
            refuse(None, None, None, _("This is a text or CSV file, not an Excel workbook: open it in Excel or WPS "
                                        "and save it as .xlsx."))
        refuse(None, None, None, _("This is not an Excel workbook (.xlsx)."))
    damaged = broken()
    bomb = _("The workbook would unpack to more than %(limit)s MB; it is refused as a possible zip bomb.") % {
        "limit": MAX_TOTAL_BYTES // 1024 // 1024}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except Exception:  # hostile input can make zipfile raise almost anything; all of it means "not readable"
        refuse(None, None, None, damaged)
    if len(members) > MAX_MEMBERS:
        refuse(None, None, None, _("The workbook has too many parts (%(count)s; at most %(limit)s).")
                % {"count": len(members), "limit": MAX_MEMBERS})
    if "xl/workbook.xml" not in {info.filename for info in members}:
        refuse(None, None, None, _("This zip file is not an Excel workbook (it has no xl/workbook.xml)."))
    if (any(info.file_size > MAX_MEMBER_BYTES for info in members)
            or sum(info.file_size for info in members) > MAX_TOTAL_BYTES):
        refuse(None, None, None, bomb)
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
                        refuse(None, None, None, bomb)
                    window = tail + chunk
                    if xml and (b"<!DOCTYPE" in window or b"<!ENTITY" in window):
                        refuse(None, None, None, entities())
                    if xml and b"mergeCell" in window:
                        found.update(ref.decode() for ref in _MERGE_RE.findall(window))
                    tail = chunk[-256:]
        except WorkbookRefused:
            raise
        except Exception:
            refuse(None, None, None, damaged)
        merges[info.filename] = sorted(found)
    return merges


def looks_like_text(head: bytes) -> bool:
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


def load_sheets(data: bytes, merges: dict[str, list[str]], only: str | None
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
                rows = worksheet_rows(worksheet)
                fill_merges(rows, merges.get(worksheet._worksheet_path.lstrip("/"), []))
                sheets.append((worksheet.title, rows))
    except WorkbookRefused:
        raise
    except Exception as error:  # openpyxl on a damaged package can raise anything
        # defusedxml's refusal may come wrapped (openpyxl re-raises it as a ValueError "from" it).
        while error is not None and not isinstance(error, DefusedXmlException):
            error = error.__cause__ or error.__context__
        refuse(None, None, None, entities() if error is not None else broken())
    finally:
        if workbook is not None:
            workbook.close()
    return names, sheets


def worksheet_rows(worksheet) -> list[list]:
    # The stored dimensions may be wrong (other writers), so ignore them and read what the sheet holds.
    worksheet.reset_dimensions()
    rows: list[list] = []
    for values in worksheet.iter_rows(values_only=True):
        if len(rows) < MAX_ROWS:
            rows.append(list(values[:MAX_COLUMNS]))
        elif any(value not in (None, "") for value in values[:MAX_COLUMNS]):
            refuse(worksheet.title, None, None, _("The sheet has more than %(limit)s rows.") % {"limit": MAX_ROWS})
    return rows


def fill_merges(rows: list[list], refs: list[str]) -> None:
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



def cell_text(value: Any) -> str:
    """A cell value as text: numbers without a spurious ".0", dates as 年月日, the formula guard removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return "{}年{}月{}日".format(value.year, value.month, value.day)
    return unguard_text(value) if isinstance(value, str) else str(value)


def one_line(text: str) -> str:
    """One line: line breaks joined (with a space only between two Latin letters or digits), spaces collapsed."""
    return _SPACE.sub(" ", _BREAK.sub("", _LATIN_BREAK.sub(" ", text))).strip()
