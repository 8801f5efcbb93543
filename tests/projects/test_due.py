"""The due window derived from the annex's 完成时间 text (the domain's rules in projects/due.py)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.due import due_window


@pytest.mark.parametrize(("text", "start", "end"), [
    ("5月", date(2024, 5, 1), date(2024, 5, 31)),
    ("2月", date(2024, 2, 1), date(2024, 2, 29)),
    ("5月上旬", date(2024, 5, 1), date(2024, 5, 10)),
    ("5月中旬", date(2024, 5, 11), date(2024, 5, 20)),
    ("5月下旬", date(2024, 5, 21), date(2024, 5, 31)),
    ("4月底", date(2024, 4, 21), date(2024, 4, 30)),
    ("12月底前", date(2024, 12, 21), date(2024, 12, 31)),
    ("10月下旬", date(2024, 10, 21), date(2024, 10, 31)),
    ("5-10月", date(2024, 5, 1), date(2024, 10, 31)),
    ("5月-10月", date(2024, 5, 1), date(2024, 10, 31)),
    ("5至10月", date(2024, 5, 1), date(2024, 10, 31)),
    ("5～10月", date(2024, 5, 1), date(2024, 10, 31)),
    ("5－10月", date(2024, 5, 1), date(2024, 10, 31)),
    ("5月中旬-6月上旬", date(2024, 5, 11), date(2024, 6, 10)),
    ("2025年6月", date(2025, 6, 1), date(2025, 6, 30)),
    ("2025年5-6月", date(2025, 5, 1), date(2025, 6, 30)),
    ("全年", date(2024, 1, 1), date(2024, 12, 31)),
    ("2025年全年", date(2025, 1, 1), date(2025, 12, 31)),
    ("上半年", date(2024, 1, 1), date(2024, 6, 30)),
    ("年底前", date(2024, 12, 21), date(2024, 12, 31)),
    ("５月", date(2024, 5, 1), date(2024, 5, 31)),
    ("１２月底", date(2024, 12, 21), date(2024, 12, 31)),
    ("5月\n中旬", date(2024, 5, 11), date(2024, 5, 20)),
    (" 5 月 ", date(2024, 5, 1), date(2024, 5, 31)),
    ("5月份", date(2024, 5, 1), date(2024, 5, 31)),
    ("6月15日", date(2024, 6, 15), date(2024, 6, 15)),
    ("2025年6月15日", date(2025, 6, 15), date(2025, 6, 15)),
])
def test_due_window_readable_text(text, start, end):
    assert due_window(text, 2024) == (start, end)


@pytest.mark.parametrize("text", [
    "待定", "", "   ", "13月", "0月", "10-5月", "5", "5-10", "5中旬-6月", "2月30日", "5-6-7月", "另行通知", "0000年5月",
    "5月中旬前后左右", "May",
])
def test_due_window_unreadable_text_none(text):
    assert due_window(text, 2024) is None


def test_due_window_not_text_none():
    assert due_window(None, 2024) is None


def test_due_window_list_year_used():
    assert due_window("4月底", 2025) == (date(2025, 4, 21), date(2025, 4, 30))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789０５年月上中下旬底前至-～/ \n全半日号份初末", max_size=14),
       st.integers(min_value=1, max_value=9999))
def test_due_window_any_text_never_raises(text, year):
    window = due_window(text, year)
    assert window is None or window[0] <= window[1]
