"""The half-yearly joint-meeting report: gather the numbers of a half year and write them as .xlsx and .docx.

``collect`` reads everything in a fixed number of queries, through the same scopes (``for_user``), target rules
(``reports.targets``) and rankings (``reports.dashboard``) as the dashboard, so the report and the dashboard can
never disagree. ``write_xlsx`` and ``write_docx`` only format what ``collect`` returned, so both files always
show the same numbers.
"""

import io
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.reach import reach_by_district
from meetings.choices import MeetingStatus
from meetings.models import HALF, Decision, JointMeeting, half_label
from needs.report import needs_report
from projects import instructions
from projects.choices import ProjectStatus, ReviewStatus
from projects.models import ProgressUpdate, Project, ProjectDistrict
from sanlian import panels
from sanlian.access import SYSTEM
from sanlian.display import person_name

from .dashboard import district_ranking, society_ranking
from .targets import target_status


class BadHalf(ValueError):
    """A half year not written like 2024H1 / 2024H2."""


def parse_half(half: str) -> tuple[int, date, date]:
    match = HALF.match(half or "")
    if not match:
        raise BadHalf(_("“{}” is not a half year: write it like 2024H1 or 2024H2.").format(half))
    year, part = int(match.group(1)), match.group(2)
    return (year, date(year, 1, 1), date(year, 6, 30)) if part == "1" else (year, date(year, 7, 1), date(year, 12, 31))


@dataclass
class ReportData:
    half: str
    year: int
    start: date
    end: date
    as_of: date
    generated_at: object
    generated_by: str
    targets: list = field(default_factory=list)
    societies: list = field(default_factory=list)  # [(name, [project rows])]
    districts: list = field(default_factory=list)  # [(name, [project rows], activities)]
    meeting: object = None
    decisions: list = field(default_factory=list)
    commendable: list = field(default_factory=list)
    reach: list = field(default_factory=list)  # per district: campaigns' reach and own activities
    instructions: list = field(default_factory=list)  # the 批示 written in the half, with their state
    commendation: tuple | None = None  # (title, header, rows) from a panel (the evaluation app's)
    project_count: int = 0
    needs: dict = field(default_factory=dict)  # needs.report.needs_report for the year


def collect(half: str, *, user=None, progress=lambda share, text: None) -> ReportData:
    """The report's content for ``half``, as of the end of the half (or today while it runs). The report is read by
    the secretariat and the leadership, so it counts everything (``SYSTEM``); ``user`` is who generated it."""
    year, start, end = parse_half(half)
    as_of = min(end, timezone.localdate())
    data = ReportData(half=half, year=year, start=start, end=end, as_of=as_of, generated_at=timezone.localtime(),
                      generated_by=person_name(user, _("command line")))
    progress(10, _("Counting the targets"))
    data.targets = target_status(year=year, user=SYSTEM, as_of=as_of)
    data.needs = needs_report(year=year, user=SYSTEM)
    progress(30, _("Reading the projects"))
    latest = ProgressUpdate.objects.filter(project=OuterRef("pk"), happened_on__lte=as_of).order_by("-happened_on",
                                                                                                  "-id")
    in_period = Q(outcomes__held_on__gte=start, outcomes__held_on__lte=as_of,
                  outcomes__review=ReviewStatus.CONFIRMED)
    projects = list(Project.objects.for_user(SYSTEM).filter(year=year).select_related("society").prefetch_related(
        Prefetch("district_links", ProjectDistrict.objects.select_related("district"))).annotate(
        latest_text=Subquery(latest.values("text")[:1]), latest_on=Subquery(latest.values("happened_on")[:1]),
        outcomes_in_period=Count("outcomes", filter=in_period)).order_by("position", "id"))
    data.project_count = len(projects)
    by_society, by_district = {}, {}
    for project in projects:
        row = {
            "title": project.title, "status": project.get_status_display(), "due": project.due_text,
            "due_end": project.due_end, "latest": project.latest_text or "", "latest_on": project.latest_on,
            "outcomes": project.outcomes_in_period,
            "overdue": bool(project.due_end and project.due_end < as_of
                            and project.status not in ProjectStatus.closed()),
            "not_yet_due": bool(project.due_start and project.due_start > end),
        }
        by_society.setdefault(project.society.name, []).append(row)
        for link in project.district_links.all():
            by_district.setdefault(link.district.name, []).append(row)
    data.societies = list(by_society.items())
    in_half = {"year": year, "user": SYSTEM, "as_of": as_of, "since": start}
    activities = {row["name"]: row["outcomes"] for row in district_ranking(**in_half)}
    data.districts = [(name, rows, activities.get(name, 0)) for name, rows in by_district.items()]
    progress(60, _("Reading the decisions"))
    data.meeting = JointMeeting.objects.for_user(SYSTEM).exclude(status=MeetingStatus.CANCELLED).filter(
        held_on__lte=end).order_by("-held_on", "-id").first()
    if data.meeting is not None:
        data.decisions = list(Decision.objects.for_user(SYSTEM).filter(meeting=data.meeting).select_related(
            "society", "district"))
    ranking = sorted((row for row in society_ranking(**in_half) if row["outcomes"]),
                     key=lambda row: (-row["outcomes"], -row["experts"], row["name"]))[:10]
    data.commendable = [(row["name"], row["outcomes"], row["experts"]) for row in ranking]
    data.reach = reach_by_district(SYSTEM, start=start, end=as_of)
    data.instructions = instructions.of_half(start, end, user=SYSTEM)
    # an app above this one (evaluation) replaces the draft list with its published round and commendations
    parts = panels.collect("reports:halfyear-commendation", user=SYSTEM, year=year, start=start, end=end)
    data.commendation = parts[0]["section"] if parts else None
    return data


def _title(data: ReportData) -> str:
    return _("Joint meeting report of the “three links, three promotions” action, {half}").format(
        half=half_label(data.half))


def _target_rows(data: ReportData) -> list[list]:
    return [[t.name, t.value, t.threshold, "{}%".format(t.percent_done), "{}%".format(t.percent_elapsed),
             t.pace_label] for t in data.targets]


def _project_row(row: dict) -> list:
    flag = _("overdue") if row["overdue"] else (_("not yet due") if row["not_yet_due"] else "")
    latest = "{} {}".format(row["latest_on"] or "", row["latest"]).strip()
    return [row["title"], row["status"], row["due"], flag, latest, row["outcomes"]]


def _instruction_row(row, as_of: date) -> list:
    state = row.get_status_display()
    if row.is_overdue(as_of):
        state = "{} ({})".format(state, _("overdue"))
    author = (row.author.get_full_name() or row.author.username) if row.author else ""
    return [row.project.title, row.project.society.name, row.text, author,
            str(timezone.localtime(row.created_at).date()), str(row.deadline or ""), state, row.reply_count]


def sections(data: ReportData) -> list[tuple[str, list[str], list[list]]]:
    """The sections as (title, header, rows): the one table structure both files are written from."""
    project_header = [_("Project"), _("Status"), _("Due"), _("Note"), _("Latest update"), _("Outcomes in the period")]
    cover = [[_("Period"), "{} – {}".format(data.start, data.end)], [_("Counted as of"), str(data.as_of)],
             [_("Generated at"), data.generated_at.strftime("%Y-%m-%d %H:%M")], [_("Generated by"), data.generated_by],
             [_("Projects in the list"), data.project_count], [_("Targets"), len(data.targets)]]
    if data.needs:
        cover += [[_("Technology needs collected this year"), data.needs["needs"]],
                  [_("Enterprises served through technology needs this year"), data.needs["enterprises_served"]],
                  [_("Share of needs solved"), "{}%".format(round(data.needs["solved_share"] * 100))]]
    societies = [[name] + _project_row(row) for name, rows in data.societies for row in rows]
    districts = [[name] + _project_row(row) + [activities] for name, rows, activities in data.districts for row in rows]
    decisions = [[d.text, str(d.owner or ""), str(d.deadline or ""), d.get_status_display(), d.follow_up]
                 for d in data.decisions]
    return [
        (_("Cover and summary"), [_("Item"), _("Value")], cover),
        (_("Targets"), [_("Target"), _("Value"), _("Threshold"), _("Share done"), _("Period elapsed"),
                        _("Pace")], _target_rows(data)),
        (_("Projects by society"), [_("Society")] + project_header, societies),
        (_("Projects by district"), [_("District association")] + project_header + [_("Joint activities")],
         districts),
        (_("Leadership instructions"), [_("Project"), _("Society"), _("Instruction"), _("Written by"),
                                         _("Written on"), _("Reply by"), _("State"), _("Replies")],
         [_instruction_row(row, data.as_of) for row in data.instructions]),
        (_("Decisions of the last meeting"), [_("Decision"), _("Owner"), _("Deadline"), _("Status"), _("Follow-up")],
         decisions),
        (_("Campaigns and own activities by district"),
         [_("District association"), _("Campaigns"), _("Sessions"), _("Person-times"), _("Towns and streets"),
          _("Schools"), _("Publicity items"), _("Own activities"), _("Participants")],
         [[row["name"], row["campaigns"], row["sessions"], row["participants"], row["towns"], row["schools"],
           row["publicity"], row["activities"], row["activity_participants"]] for row in data.reach]),
        # the report ends with whom to commend
        data.commendation or (_("Commendable units (draft)"), [_("Society"), _("Outcomes"),
                                                               _("Expert person-times")],
                              [list(row) for row in data.commendable]),
    ]


def write_xlsx(data: ReportData) -> bytes:
    """One sheet per section: bold header, frozen panes, autofilter, every text cell formula-safe."""
    import openpyxl

    from sanlian.excel import table_sheet

    book = openpyxl.Workbook(write_only=False)
    book.remove(book.active)
    for index, (title, header, rows) in enumerate(sections(data), start=1):
        table_sheet(book, "{} {}".format(index, title)[:31], header, rows,
                    widths=[30 if n in (0, 1) else 14 for n in range(len(header))])
    book.properties.title = _title(data)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _set_font(run, size=None, bold=False, east_asia="仿宋") -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = "Times New Roman"
    run.font.bold = bold
    if size:
        run.font.size = Pt(size)
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _page_number(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)


def write_docx(data: ReportData) -> bytes:
    """A4 Word document: title, one heading and table per section (the target table among them), page numbers in
    the footer, 仿宋 body and 宋体 headings for Chinese."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", "仿宋")
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(title.add_run(_title(data)), size=18, bold=True, east_asia="宋体")
    for index, (heading, header, rows) in enumerate(sections(data), start=1):
        paragraph = document.add_heading(level=1)
        _set_font(paragraph.add_run("{}、{}".format(index, heading)), size=14, bold=True, east_asia="宋体")
        if not rows:
            _set_font(document.add_paragraph().add_run(_("None.")), size=11)
            continue
        table = document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header):
            cell.paragraphs[0].add_run(str(text)).bold = True
        for row in rows:  # body cells take the Normal style's fonts (仿宋 for Chinese): no per-run formatting
            for cell, value in zip(table.add_row().cells, row):
                cell.text = "" if value is None else str(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_name(half: str) -> str:
    return "sanlian-report-{}".format(half)
