"""The round's results as an Excel workbook (scores, indicators, ranks) and as a Word 评估总结 in 公文 layout (A4,
仿宋 body, 黑体 headings, numbered sections: overall, per unit, problems, next steps), the narrative pre-filled
from the numbers for the secretariat to edit. Both only format ``UnitScore`` lists from ``evaluation.scoring``."""

import io
from collections import Counter

import openpyxl
from django.utils.translation import gettext as _

from sanlian.excel import table_sheet

from .choices import Grade, UnitKind
from .models import Round
from .scoring import UnitScore


def write_xlsx(round_: Round, scores: list[UnitScore]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    table_sheet(book, _("Scores"), [_("Rank"), _("Unit"), _("Kind"), _("Score"), _("Grade")],
                [[item.rank, item.unit, UnitKind(item.kind).label, item.score, item.grade_label] for item in scores],
                widths=[8, 30, 16, 10, 10])
    table_sheet(book, _("Indicators"), [_("Unit"), _("Indicator"), _("Weight"), _("Value"), _("Points"),
                                        _("Points lost"), _("Rows counted")],
                [[item.unit, part.name, part.weight, part.value, part.points, part.lost, len(part.record_ids)]
                 for item in scores for part in item.indicators], widths=[30, 36, 8, 10, 10, 10, 10])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _font(run, *, east_asia: str = "仿宋_GB2312", size: float = 16, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size, run.font.bold = Pt(size), bold
    run.font.name = "Times New Roman"
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)


def narrative(round_: Round, scores: list[UnitScore]) -> dict[str, list[str]]:
    """The pre-filled text of each section (the secretariat edits the document afterwards)."""
    grades = Counter(item.grade for item in scores)
    overall = [_("{count} units were evaluated in “{round}”: {excellent} excellent, {good} good, {fair} fair, "
                 "{poor} poor.").format(count=len(scores), round=round_.name, excellent=grades[Grade.EXCELLENT],
                                        good=grades[Grade.GOOD], fair=grades[Grade.FAIR], poor=grades[Grade.POOR])]
    units = ["{}. {}：{} {}，{} {}，{}".format(
        item.rank, item.unit, item.score, _("points"), _("rank"), item.rank, item.grade_label) for item in scores]
    lost = Counter()
    for item in scores:
        for part in item.lost_points:
            lost[part.name] += part.lost
    problems = [_("“{name}”: {points} points lost across the units.").format(name=name, points=round(points, 2))
                for name, points in lost.most_common(3)] or [_("None.")]
    steps = [_("Follow up the indicators where most points were lost; units graded fair or poor report their "
               "improvement measures at the next joint meeting.")]
    return {"overall": overall, "units": units, "problems": problems, "steps": steps}


def _official_document(title: str):
    """A new A4 Word document in 公文 layout (margins 3.7/3.5/2.8/2.6 cm) opening with its centred title."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(title), east_asia="方正小标宋简体", size=22)
    return document


def _body(document, text: str) -> None:
    """A body paragraph of an official document: first line indented two characters."""
    from docx.shared import Cm

    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Cm(1.1)
    _font(paragraph.add_run(text))


def write_docx(round_: Round, scores: list[UnitScore]) -> bytes:
    document = _official_document("{}{}".format(round_.name, _("evaluation summary")))
    text = narrative(round_, scores)
    headings = [("overall", _("Overall")), ("units", _("Per unit")), ("problems", _("Problems")),
                ("steps", _("Next steps"))]
    numbers = "一二三四"
    for number, (key, heading) in zip(numbers, headings):
        _font(document.add_paragraph().add_run("{}、{}".format(number, heading)), east_asia="黑体")
        for line in text[key]:
            _body(document, line)
        if key == "units":
            table = document.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            for cell, label in zip(table.rows[0].cells, [_("Rank"), _("Unit"), _("Score"), _("Grade")]):
                cell.text = label
            for item in scores:
                for cell, value in zip(table.add_row().cells, [item.rank, item.unit, item.score, item.grade_label]):
                    cell.text = str(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_notice(year: int, nominations) -> bytes:
    """The commendation decision (表扬通报) in 公文 layout: title, preamble, the commended units and individuals
    with their reasons, closing; the secretariat edits and issues it."""
    document = _official_document(_("Commendation of {year}").format(year=year))
    _font(document.add_paragraph().add_run(_(
        "For their outstanding contribution to the joint work of the “三联三促” action, the following units and "
        "individuals are commended.")))
    groups = [(_("Commended units"), [item for item in nominations if item.nominee_kind == "unit"]),
              (_("Commended individuals"), [item for item in nominations if item.nominee_kind == "person"])]
    for number, (heading, items) in zip("一二", groups):
        _font(document.add_paragraph().add_run("{}、{}".format(number, heading)), east_asia="黑体")
        for item in items or []:
            _body(document, "{}：{}".format(item.nominee, item.reasons))
        if not items:
            _font(document.add_paragraph().add_run(_("None.")))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
