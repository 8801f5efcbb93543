"""Importing a campaign's per-town lines from Excel (one row per town or street), as districts keep them: one
header row found under any merged title rows, columns recognised by any of their usual names (white space, full-width
forms and a unit in brackets such as “（人次）” ignored), blank rows, a 合计 row and the second row of a two-row header skipped. The file is checked and read
by ``sanlian.workbook``. All or nothing: any bad row refuses the file, naming its row and column, and nothing is
written; an accepted file replaces the campaign's lines and its totals become their sums (``save_campaign``).
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sanlian.bounds import COUNT_MAX
from sanlian.workbook import (WorkbookIssue, WorkbookRefused, cell_text, check_package, load_sheets, one_line,
                              read_bytes, refuse)

from .models import Campaign, CampaignLine
from .services import SUMMED, save_campaign

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 200
HEADER_SCAN_ROWS = 10
TOTAL_ROWS = {"合计", "总计", "小计"}
_BRACKETS = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]")
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")


@dataclass(frozen=True)
class Column:
    key: str
    names: tuple[str, ...]
    required: bool = False


COLUMNS = (
    Column("town", ("镇街", "镇（街）", "镇（街道）", "镇/街", "镇/街道", "镇街道", "乡镇街道", "乡镇（街道）", "镇街名称",
                    "街道/镇", "镇街（园区）", "所在镇街"), True),
    Column("sessions", ("场次", "活动场次", "开展场次", "举办场次", "活动场数", "场数"), True),
    Column("participants", ("参与人次", "参加人次", "人次", "受益人次", "覆盖人次", "参与人数", "参加人数", "受众人次"),
           True),
    Column("schools", ("学校数", "学校", "学校数量", "覆盖学校", "覆盖学校数", "参与学校", "参与学校数", "中小学校数")),
    Column("publicity", ("宣传品/文章", "宣传品、文章", "宣传品和文章", "宣传品", "文章", "宣传信息", "宣传文章",
                         "发布文章", "宣传品/文章数", "宣传材料")),
)


def header_key(value) -> str:
    """A header as compared: NFKC-folded, white space and a bracketed unit (（人次）, (所)) removed."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell_text(value)))
    return _BRACKETS.sub("", text) or text


LOOKUP = {header_key(name): column for column in COLUMNS for name in column.names}


@dataclass
class Parsed:
    sheet: str
    lines: list[dict]
    warnings: list[str]


def _find_header(sheets) -> tuple[str, int, dict[str, tuple[int, str]]]:
    """The sheet, row index and columns (key → (index, header text)) of the first table naming the required
    columns; else refuse, naming the columns missing in the closest candidate."""
    best: tuple[int, str | None, list[Column]] = (-1, None, [])
    for title, rows in sheets:
        for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            found: dict[str, tuple[int, str]] = {}
            for position, value in enumerate(row):
                column = LOOKUP.get(header_key(value))
                if column is not None and column.key not in found:
                    found[column.key] = (position, one_line(cell_text(value)))
            missing = [column for column in COLUMNS if column.required and column.key not in found]
            if not missing:
                return title, index, found
            if len(found) > best[0]:
                best = (len(found), title, missing)
    if best[1] is None:
        refuse(None, None, None, _("The workbook has no sheet with a table."))
    refuse(best[1], None, None, _("Required columns are missing: %(columns)s.") % {
        "columns": "、".join(column.names[0] for column in best[2])})


def _count(value) -> int | None:
    """A cell as a count (0 when empty), or ``None`` when it is not a whole number from 0 to ``COUNT_MAX``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        number = int(value) if value.is_integer() else None
    elif isinstance(value, int):
        number = value
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
        number = int(text.replace(",", "")) if _NUMBER.match(text) else None
    return number if number is not None and 0 <= number <= COUNT_MAX else None


def read_lines(source) -> Parsed:
    """The per-town lines of the workbook ``source``; ``WorkbookRefused`` listing every bad row and column."""
    data = read_bytes(source, MAX_BYTES)
    _names, sheets = load_sheets(data, check_package(data), None)
    sheet, header, columns = _find_header(sheets)
    rows = dict(sheets)[sheet]
    issues: list[WorkbookIssue] = []
    lines: list[dict] = []
    seen: dict[str, int] = {}
    for offset, row in enumerate(rows[header + 1:]):
        number = header + 2 + offset  # the Excel row
        values = {key: (row[position] if position < len(row) else None) for key, (position, _text) in columns.items()}
        if not any(cell_text(value).strip() for value in values.values()):
            continue
        town = one_line(cell_text(values["town"]))
        if header_key(town).rstrip(":") in TOTAL_ROWS:
            continue
        if getattr(LOOKUP.get(header_key(town)), "key", None) == "town":
            continue  # the second row of a two-row header (cells merged down repeat the header's names)
        if not town:
            issues.append(WorkbookIssue(sheet, number, columns["town"][1], _("The town or street is empty.")))
            continue
        if len(town) > CampaignLine._meta.get_field("town").max_length:
            issues.append(WorkbookIssue(sheet, number, columns["town"][1], _("The name is too long.")))
            continue
        key = header_key(town)
        if key in seen:
            issues.append(WorkbookIssue(sheet, number, columns["town"][1], _(
                "“%(town)s” already appears in row %(row)s; each town or street may appear once.") % {
                "town": town, "row": seen[key]}))
            continue
        seen[key] = number
        line = {"town": town}
        for name in SUMMED:
            if name not in columns:
                line[name] = 0
                continue
            count = _count(values[name])
            if count is None:
                issues.append(WorkbookIssue(sheet, number, columns[name][1], _(
                    "“%(value)s” is not a whole number from 0 to 10,000,000.") % {
                    "value": one_line(cell_text(values[name]))}))
            line[name] = count
        lines.append(line)
    if len(lines) > MAX_LINES:
        issues.append(WorkbookIssue(sheet, None, None, _("At most %(limit)s towns or streets.") % {
            "limit": MAX_LINES}))
    if not lines and not issues:
        issues.append(WorkbookIssue(sheet, None, None, _("The table has no town or street.")))
    if issues:
        raise WorkbookRefused(issues)
    ignored = [one_line(cell_text(value)) for position, value in enumerate(rows[header])
               if cell_text(value).strip() and position not in {p for p, _text in columns.values()}]
    warnings = [_("Sheet “%(sheet)s”: column “%(column)s” is not recognised and is ignored.")
                % {"sheet": sheet, "column": name} for name in ignored]
    return Parsed(sheet, lines, warnings)


def import_campaign_lines(campaign: Campaign, source, *, user) -> Parsed:
    """Replace ``campaign``'s per-town lines by the workbook's (one transaction; totals become their sums).
    Raises ``WorkbookRefused`` (nothing written) for a bad file."""
    parsed = read_lines(source)
    save_campaign(campaign, user=user, lines=parsed.lines)
    return parsed
