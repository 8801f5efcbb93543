"""The 需求台账 as an Excel workbook (the same scoped, filtered queryset as the page; every text cell guarded)."""

import io

import openpyxl
from django.utils.translation import gettext as _

from sanlian.excel import table_sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_needs(needs) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    rows = needs.select_related("partner", "district", "industry", "collected_by_district", "collected_by_society")
    table_sheet(book, _("Technology needs"), [
        _("Enterprise"), _("District"), _("“6+3” industry"), _("Need"), _("Description"), _("Kind of need"),
        _("Enterprise contact"), _("Contact phone"), _("Collected by"), _("Collected on"), _("Status"),
        _("Matched on"), _("Closed on"), _("Satisfaction"), _("Reason not solved"),
    ], ([need.partner.name, need.district.name, need.industry.name if need.industry else "", need.title,
         need.description, need.get_kind_display(), need.contact_name, need.contact_phone,
         str(need.collected_by or ""), need.collected_on, need.get_status_display(), need.matched_on,
         need.closed_on, need.satisfaction, need.reason] for need in rows.iterator(chunk_size=2000)),
        widths=[24, 12, 12, 30, 40, 12, 10, 14, 16, 12, 10, 12, 12, 8, 20])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
