"""The due window of a project: a date range derived from the free text of the annex's 完成时间 column.

The annex says when a project is due in words ("5月中旬", "4月底", "5-10月", "全年"); the portal keeps that text
and derives the first and last day it allows, so that reminders and "overdue" can be computed. The rules:
上旬 = days 1–10, 中旬 = 11–20, 下旬/底 = 21 to the end of the month, a bare month = the whole
month, a range of months = the first day of the first to the last day of the last, all in the list's year unless
the text names a year.
"""

import calendar
import re
import unicodedata
from datetime import date

# Part of a month → (first day, last day); None = the month's last day. 初/末 are the colloquial 上旬/下旬.
_PARTS = {"上旬": (1, 10), "初": (1, 10), "中旬": (11, 20), "下旬": (21, None), "底": (21, None), "末": (21, None)}
# Whole-year words, with an optional "2025年" in front: (first month, first day, last month, last day).
_YEAR_WORDS = {
    "全年": (1, 1, 12, None), "上半年": (1, 1, 6, None), "下半年": (7, 1, 12, None),
    "年底": (12, 21, 12, None), "年末": (12, 21, 12, None),
}
# One end of a range: optional year, month, optional 月, then a part of the month or a day ("15日").
_END = re.compile(r"(?:(\d{4})年)?(\d{1,2})(月份?)?(?:(上旬|中旬|下旬|底|初|末)|(\d{1,2})[日号])?")
# Range separators once NFKC has folded the full-width forms (－ → -, ～ → ~).
_RANGE = re.compile(r"[-~至到—–]+")
# "by then" suffixes: "12月底前" means the same window as "12月底".
_BEFORE = re.compile(r"(?:之前|以前|前)$")


def due_window(text: str, year: int) -> tuple[date, date] | None:
    """First and last day that the annex's 完成时间 text allows, or None when it gives none ("待定", "", junk).

    Never raises: whatever cannot be read as a window is None, so the caller can flag it and keep the text.
    """
    if not isinstance(text, str):
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    text = _BEFORE.sub("", text)
    try:
        return _whole_year(text, year) or _months(text, year)
    except ValueError:  # a day or year that no calendar has (year 0, "2月30日")
        return None


def _whole_year(text: str, year: int) -> tuple[date, date] | None:
    match = re.fullmatch(r"(?:(\d{4})年)?(" + "|".join(_YEAR_WORDS) + ")", text)
    if not match:
        return None
    year = int(match[1] or year)
    first_month, first_day, last_month, last_day = _YEAR_WORDS[match[2]]
    return date(year, first_month, first_day), _day(year, last_month, last_day)


def _months(text: str, year: int) -> tuple[date, date] | None:
    ends = _RANGE.split(text)
    if len(ends) > 2:
        return None
    matches = [_END.fullmatch(end) for end in ends]
    # The last end must say 月 ("5-10月"); an end without 月 may not carry a part or a day ("5中旬-6月" is junk).
    if not all(matches) or not matches[-1][3] or any(not m[3] and (m[4] or m[5]) for m in matches):
        return None
    start, end = matches[0], matches[-1]
    start_year = int(start[1] or year)
    end_year = int(end[1] or (start_year if start[1] else year))
    start_month, end_month = int(start[2]), int(end[2])
    if not (1 <= start_month <= 12 and 1 <= end_month <= 12):
        return None
    first = _bounds(start_year, start_month, start)[0]
    last = _bounds(end_year, end_month, end)[1]
    return (first, last) if first <= last else None


def _bounds(year: int, month: int, match: re.Match) -> tuple[date, date]:
    """The days one end of a range covers: a day, a part of the month, or the whole month."""
    if match[5]:
        day = date(year, month, int(match[5]))
        return day, day
    first, last = _PARTS.get(match[4], (1, None))
    return date(year, month, first), _day(year, month, last)


def _day(year: int, month: int, day: int | None) -> date:
    return date(year, month, day or calendar.monthrange(year, month)[1])
