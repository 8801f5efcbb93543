"""Small helpers shared by everything that writes .xlsx files (annex export, reports)."""

from typing import Any

from django.utils.functional import Promise
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side

# A cell text starting with one of these is run as a formula by Excel, WPS or LibreOffice (CSV/formula injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"

_THIN = Side(style="thin")
THIN_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FONT = Font(bold=True)
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAPPED = Alignment(vertical="center", wrap_text=True)


def safe_text(value: Any) -> Any:
    """The value to put in a cell: text that a spreadsheet would run as a formula gets a leading apostrophe.

    Characters that XML cannot carry (control characters) are dropped, since openpyxl refuses them and one stray
    character must not break a whole export. Values that are not text pass through unchanged.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return GUARD + value if value.startswith(FORMULA_TRIGGERS) else value


def unguard_text(value: str) -> str:
    """The inverse of `safe_text` for text read back from a cell: drop the apostrophe that guards a formula."""
    if value.startswith(GUARD) and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def table_sheet(book, title: str, headers: list[str], rows, *, widths: list[int] | None = None):
    """A sheet holding one table: bold bordered header, frozen below it, an autofilter, every text cell guarded."""
    sheet = book.create_sheet(title=safe_text(str(title))[:31])
    sheet.append([str(header) for header in headers])
    for cell in sheet[1]:
        cell.font, cell.alignment, cell.border = HEADER_FONT, CENTRED, THIN_BORDER
    for row in rows:
        sheet.append([safe_text(str(value) if isinstance(value, Promise) else value) for value in row])
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for index, width in enumerate(widths or [16] * len(headers), start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    return sheet
