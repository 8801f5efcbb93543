"""The annex list in and out: read a workbook (``projects.annex``), plan the import (what is new, what changed field
by field, what the file does not name), apply it in one transaction with history ("导入清单"), keep the uploaded
file between the preview and the confirm, and export projects in the annex layout.
"""

import functools
import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sanlian.bulk import BulkWriter
from sanlian.db import analyze
from societies.choices import PartnerKind, UpperUnitLevel
from societies.models import Partner, Society, UpperUnit, name_key

from . import attention
from .annex import Annex, AnnexIssue, AnnexRefused, AnnexRow, read_annex, write_annex
from .models import LINK_KINDS, LinkKind, Project
from .signals import projects_bulk_changed

logger = logging.getLogger(__name__)

ANNEX_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "annex-2024.xlsx"
IMPORT_REASON = "导入清单"  # the change reason on every history record an import writes
_SPACE = re.compile(r"\s+")


SOCIETIES = LinkKind("societies", Society)
KINDS = LINK_KINDS
ANALYZE_AFTER = 200  # new projects from which an import refreshes the planner's statistics (sanlian.db.analyze)
ORGANISATION_KINDS = {"societies": _("Municipal societies"), "districts": _("District associations"),
                      "upper_units": _("Upper-level units"), "partners": _("Partners")}
# The project fields an import writes, with their labels for the preview; the link lists are compared too.
IMPORT_FIELDS = {
    "seq": _("society number"), "position": _("position in the list"), "title": _("title"),
    "due_text": _("due (as typed)"), "due_start": _("due window start"), "due_end": _("due window end"),
    "contact": _("contact"), "remarks": _("remarks"),
}
LINK_LABELS = {"districts": _("district associations"), "upper_units": _("upper-level units"), "partners": _("partners")}

# Kinds of new organisations, guessed from the name (the secretariat can correct them in the back office).
# Partners: collective names ("各…", "全市…", 村居, 社区, members, committees) are groups; universities, colleges,
# hospitals, schools and research bodies are institutions; anything else is an enterprise.
_GROUP = re.compile(r"^(各|全市|全区|全县)|村居|村委|社区|会员|委员会|分会|居民|群众|学生|志愿者")
_INSTITUTION = re.compile(r"大学|学院|学校|中学|小学|幼儿园|医院|卫生院|研究院|研究所|科学院|机构|中心$|保健院")
# Upper-level units: national (中国/中华/国家/全国), provincial (山东省/山东/省), research institutes, universities.
_LEVELS = (
    (re.compile(r"^(中国|中华|国家|全国)"), UpperUnitLevel.NATIONAL),
    (re.compile(r"^(山东|省)"), UpperUnitLevel.PROVINCIAL),
    (re.compile(r"研究所|科学院|研究院"), UpperUnitLevel.INSTITUTE),
    (re.compile(r"大学|学院"), UpperUnitLevel.UNIVERSITY),
)


def partner_kind(name: str) -> str:
    """The kind a new partner gets from its name (a documented heuristic; see ``_GROUP`` and ``_INSTITUTION``)."""
    if _GROUP.search(name):
        return PartnerKind.GROUP
    if _INSTITUTION.search(name):
        return PartnerKind.INSTITUTION
    return PartnerKind.ENTERPRISE


def upper_unit_level(name: str) -> str:
    """The level a new upper-level unit gets from its name (first matching rule of ``_LEVELS``)."""
    return next((level for pattern, level in _LEVELS if pattern.search(name)), UpperUnitLevel.OTHER)


# The same few names recur thousands of times in a large list: compute each matching key once.
_key = functools.lru_cache(maxsize=65536)(name_key)


def _clean_name(name: str) -> str:
    return _SPACE.sub(" ", name or "").strip()


def _unique(names: list[str]) -> list[str]:
    """The names in order, each organisation once (by its matching key), empty ones dropped."""
    seen, result = set(), []
    for name in map(_clean_name, names or []):
        key = _key(name)
        if key and key not in seen:
            seen.add(key)
            result.append(name)
    return result


class _Link(NamedTuple):
    pk: int
    project_id: int
    org_id: int
    order: int
    name: str = ""


@dataclass(frozen=True)
class NewOrganisation:
    name: str
    kind: str = ""  # partner kind or upper-unit level; empty for societies and districts

    @property
    def kind_label(self) -> str:
        choices = dict(PartnerKind.choices) | dict(UpperUnitLevel.choices)
        return str(choices.get(self.kind, ""))


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object

    @property
    def label(self) -> str:
        return str(IMPORT_FIELDS.get(self.field) or LINK_LABELS[self.field])

    @staticmethod
    def show(value) -> str:
        if isinstance(value, list):
            return "、".join(value)
        return "" if value is None else str(value)

    @property
    def old_text(self) -> str:
        return self.show(self.old)

    @property
    def new_text(self) -> str:
        return self.show(self.new)


@dataclass
class PlannedProject:
    """One row of the file and what the import does with it: create, change (field by field) or leave."""

    row: AnnexRow
    position: int
    values: dict  # the project fields and the three link lists as the file gives them
    existing: Project | None = None
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def action(self) -> str:
        return "new" if self.existing is None else "changed" if self.changes else "unchanged"


@dataclass
class ImportPlan:
    """What an import of ``annex`` would change; nothing is written until ``apply_import``."""

    annex: Annex
    year: int
    new_organisations: dict[str, list[NewOrganisation]]
    projects: list[PlannedProject]
    not_in_file: list[Project]
    warnings: list[AnnexIssue]
    _existing_orgs: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)
    _existing_links: dict[str, dict[int, list]] = field(default_factory=dict, repr=False)

    def of(self, action: str) -> list[PlannedProject]:
        return [planned for planned in self.projects if planned.action == action]

    @property
    def new(self) -> list[PlannedProject]:
        return self.of("new")

    @property
    def changed(self) -> list[PlannedProject]:
        return self.of("changed")

    @property
    def unchanged(self) -> list[PlannedProject]:
        return self.of("unchanged")

    @property
    def new_organisation_groups(self) -> list[tuple[str, list[NewOrganisation]]]:
        return [(str(ORGANISATION_KINDS[kind]), names) for kind, names in self.new_organisations.items() if names]

    def fingerprint(self) -> str:
        """A digest of what would change: a confirm applies the plan only if it still has this digest."""
        data = [
            self.year, {kind: [org.name for org in orgs] for kind, orgs in self.new_organisations.items()},
            [[p.values["society"], p.values["title"], p.action, [[c.field, c.new] for c in p.changes]]
             for p in self.projects],
        ]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, default=str).encode()).hexdigest()

    def summary(self) -> "ImportResult":
        """The counts this plan would give if applied (what ``--dry-run`` prints)."""
        return ImportResult(
            year=self.year,
            created={kind: len(orgs) for kind, orgs in self.new_organisations.items()} | {"projects": len(self.new)},
            updated=len(self.changed), unchanged=len(self.unchanged), warnings=self.warnings,
        )


@dataclass
class ImportResult:
    year: int
    created: dict[str, int]
    updated: int
    unchanged: int
    warnings: list[AnnexIssue]

    def as_json(self) -> dict:
        """The command-line contract's JSON object."""
        return {"year": self.year, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "warnings": [issue_json(issue) for issue in self.warnings]}


class ImportPlanChanged(Exception):
    """The database changed between the preview and the confirm: the previewed plan no longer holds."""


def issue_json(issue: AnnexIssue) -> dict:
    return {"sheet": issue.sheet, "row": issue.row, "column": issue.column, "message": issue.message}


def _refused(message: str) -> AnnexRefused:
    return AnnexRefused([AnnexIssue(sheet=None, row=None, column=None, message=message)])


def load_annex(source, *, year: int | None = None, sheet: str | None = None) -> Annex:
    """Read a workbook (a path, bytes or a binary file) into an ``Annex``; every problem is an ``AnnexRefused``.

    No side effects. A path that is missing, a folder or unreadable is refused like a bad file, and so is anything
    the reader did not foresee (logged), so no caller ever shows a traceback for a file.
    """
    if year is not None and not 2000 <= year <= 2100:
        raise _refused(gettext("The year {} is not a plausible year of a list.").format(year))
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            if path.is_dir():
                raise _refused(gettext("“{}” is a folder, not an Excel workbook.").format(path))
            with path.open("rb") as handle:
                return load_annex(handle, year=year, sheet=sheet)
        except FileNotFoundError:
            raise _refused(gettext("The file “{}” does not exist.").format(path)) from None
        except PermissionError:
            raise _refused(gettext("The file “{}” cannot be read: permission denied.").format(path)) from None
        except OSError as error:
            raise _refused(gettext("The file “{}” cannot be read: {}").format(path, error.strerror or error)) from None
    try:
        return read_annex(source, year=year, sheet=sheet, max_bytes=settings.UPLOAD_MAX_BYTES)
    except AnnexRefused:
        raise
    except Exception:  # the reader refuses bad files itself; anything else must still not become a traceback
        logger.exception("annex reader failed unexpectedly")
        raise _refused(gettext("The file cannot be read as an Excel (.xlsx) workbook.")) from None


def _row_values(row: AnnexRow, position: int) -> dict:
    return {
        "society": _clean_name(row.society), "title": _clean_name(row.title), "seq": row.seq, "position": position,
        "due_text": (row.due_text or "").strip(), "due_start": row.due_start, "due_end": row.due_end,
        "contact": (row.contact or "").strip(), "remarks": (row.remarks or "").strip(),
        "districts": _unique(row.districts), "upper_units": _unique(row.upper_units), "partners": _unique(row.partners),
    }


def _check_sizes(planned: list[PlannedProject]) -> None:
    """Refuse values the database cannot hold (a pasted essay in a name cell), all at once, with their row."""
    limits = {"title": Project._meta.get_field("title").max_length,
              "due_text": Project._meta.get_field("due_text").max_length,
              "contact": Project._meta.get_field("contact").max_length}
    name_limit = Society._meta.get_field("name").max_length
    issues = []
    for item in planned:
        row, values = item.row, item.values
        too_long = [name for name, limit in limits.items() if len(values[name]) > limit]
        too_long += [kind for kind in ("society", "districts", "upper_units", "partners")
                     if any(len(name) > name_limit for name in ([values[kind]] if kind == "society" else values[kind]))]
        for name in too_long:
            label = IMPORT_FIELDS.get(name) or LINK_LABELS.get(name) or _("lead society")
            issues.append(AnnexIssue(sheet=row.sheet, row=row.row, column=str(label),
                                     message=gettext("The text is too long to keep.")))
        if values["seq"] is not None and not 0 <= values["seq"] <= 32767:
            issues.append(AnnexIssue(sheet=row.sheet, row=row.row, column=str(IMPORT_FIELDS["seq"]),
                                     message=gettext("The number {} is out of range.").format(values["seq"])))
    if issues:
        raise AnnexRefused(issues)


def plan_import(annex: Annex) -> ImportPlan:
    """What importing ``annex`` would change. Reads only, in a fixed number of queries whatever the list's size.

    The key of a project is year + society + title (both by their matching keys); a project of that year that the
    file does not name is listed in ``not_in_file`` and never touched.
    """
    year = annex.year
    planned = [PlannedProject(row=row, position=number, values=_row_values(row, number))
               for number, row in enumerate(annex.rows, start=1)]
    wanted = {"societies": [p.values["society"] for p in planned]}
    wanted |= {kind.key: [name for p in planned for name in p.values[kind.key]] for kind in KINDS}

    existing_orgs, new_orgs = {}, {}
    for kind in (SOCIETIES, *KINDS):
        names = {}
        for name in wanted[kind.key]:
            names.setdefault(_key(name), name)
        found = dict(kind.model.objects.filter(name_key__in=list(names)).values_list("name_key", "pk"))
        existing_orgs[kind.key] = found
        new_orgs[kind.key] = [
            NewOrganisation(name, partner_kind(name) if kind.model is Partner
                            else upper_unit_level(name) if kind.model is UpperUnit else "")
            for key, name in names.items() if key not in found
        ]

    projects = {(p.society.name_key, p.title_key): p for p in Project.objects.filter(year=year).select_related("society")}
    links = {}
    for kind in KINDS:
        by_project: dict[int, list[_Link]] = {}
        rows = kind.link.objects.filter(project__year=year).order_by("order", "pk").values_list(
            "pk", "project_id", kind.link_field + "_id", "order", kind.link_field + "__name")
        for link in rows:
            by_project.setdefault(link[1], []).append(_Link(*link))
        links[kind.key] = by_project

    _check_sizes(planned)
    seen = set()
    for item in planned:
        key = (_key(item.values["society"]), _key(item.values["title"]))
        seen.add(key)
        item.existing = project = projects.get(key)
        if project is None:
            continue
        for name in IMPORT_FIELDS:
            old, new = getattr(project, name), item.values[name]
            if old != new and not (old in ("", None) and new in ("", None)):
                item.changes.append(FieldChange(name, old, new))
        for kind in KINDS:
            old = [link.name for link in links[kind.key].get(project.pk, [])]
            if [_key(n) for n in old] != [_key(n) for n in item.values[kind.key]]:
                item.changes.append(FieldChange(kind.key, old, item.values[kind.key]))
    not_in_file = [p for key, p in projects.items() if key not in seen]
    not_in_file.sort(key=lambda p: (p.position, p.pk))
    return ImportPlan(annex=annex, year=year, new_organisations=new_orgs, projects=planned, not_in_file=not_in_file,
                      warnings=list(annex.warnings), _existing_orgs=existing_orgs, _existing_links=links)


def apply_import(plan_or_annex: "ImportPlan | Annex", *, user=None) -> ImportResult:
    """Apply an import in one transaction: create the new organisations, create and update projects, replace the
    changed link lists; every row written gets a history record by ``user`` with the reason "导入清单".

    Given a plan (from a preview), the plan is made again inside the transaction and applied only if it is still
    the same, otherwise ``ImportPlanChanged``. Bulk statements only: the number of queries does not depend on the
    size of the list (but for links that leave a list without another taking their place). Never deletes a project.
    """
    annex = plan_or_annex.annex if isinstance(plan_or_annex, ImportPlan) else plan_or_annex
    user = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            plan = plan_import(annex)
            if isinstance(plan_or_annex, ImportPlan) and plan.fingerprint() != plan_or_annex.fingerprint():
                raise ImportPlanChanged
            _apply(plan, user=user)
            transaction.on_commit(lambda: projects_bulk_changed.send(sender=Project))
            if len(plan.new) >= ANALYZE_AFTER:  # a large first import: the planner's statistics follow it
                transaction.on_commit(lambda: analyze(Project, *(kind.link for kind in KINDS)))
    except IntegrityError:
        # Another import created the same organisation or project at the same moment.
        raise ImportPlanChanged from None
    return plan.summary()


def _apply(plan: ImportPlan, *, user) -> None:
    """Write the plan with ``sanlian.bulk.BulkWriter``: every row created or changed gets its history record
    ("导入清单", by ``user``) in a fixed number of statements."""
    now = timezone.now()
    write = BulkWriter(user=user, now=now, reason=IMPORT_REASON)
    ids = {}
    for kind in (SOCIETIES, *KINDS):
        extra = "kind" if kind.model is Partner else "level" if kind.model is UpperUnit else None
        rows = [{"name": org.name, "name_key": _key(org.name), "created_at": now, **({extra: org.kind} if extra else {})}
                for org in plan.new_organisations[kind.key]]
        created = write.create(kind.model, rows, ("name_key",))
        ids[kind.key] = plan._existing_orgs[kind.key] | {key: pk for (key,), pk in created.items()}

    def fields(values: dict) -> dict:
        return {name: values[name] for name in IMPORT_FIELDS} | {
            "title_key": _key(values["title"]), "society_id": ids["societies"][_key(values["society"])],
            "updated_at": now}

    created = write.create(Project, [
        fields(p.values) | {"year": plan.year, "created_at": now, "created_by_id": write.user_id} for p in plan.new
    ], ("society_id", "title_key"))
    changed = [p.existing for p in plan.changed]
    for project, item in zip(changed, plan.changed):
        for name, value in fields(item.values).items():
            setattr(project, name, value)
    if changed:
        write.update(Project, [write.values(p) for p in changed],
                     [*IMPORT_FIELDS, "title_key", "society_id", "updated_at"])
        write.history(Project, [write.values(p) for p in changed], "~")

    targets = [(created[(ids["societies"][_key(p.values["society"])], _key(p.values["title"]))], p) for p in plan.new]
    targets += [(p.existing.pk, p) for p in plan.changed]
    linked = {}
    for kind in KINDS:
        linked[kind.key] = _apply_links(write, kind, plan.year, [
            (project_id, [ids[kind.key][_key(name)] for name in item.values[kind.key]],
             plan._existing_links[kind.key].get(project_id, [])) for project_id, item in targets])
    # one message per society and district contact for the whole import (not one per project)
    attention.tell_of_import(new_project_ids=created.values(), district_links=linked["districts"], user=user)


def _apply_links(write: BulkWriter, kind: LinkKind, year: int,
                 wanted: list[tuple[int, list[int], list[_Link]]]) -> list[tuple[int, int]]:
    """Make each project's links of ``kind`` the wanted organisations in the wanted order. A link whose
    organisation left the list is reused for a new one (a "changed" history record: A → B), so an edited list
    costs a fixed number of statements; links left over are deleted one by one (django-simple-history records
    each deletion with the import's user and reason). Returns the (project id, organisation id) newly linked."""
    fk = kind.link_field + "_id"
    create, update, remove, added = [], [], [], []
    for project_id, org_ids, links in wanted:
        current = {link.org_id: link for link in links}
        spare = [link for link in links if link.org_id not in org_ids]
        for order, org_id in enumerate(org_ids):
            link = current.get(org_id)
            if link is None and spare:
                link = spare.pop(0)
            row = {"project_id": project_id, fk: org_id, "order": order}
            if link is None:
                create.append(row)
            elif (link.org_id, link.order) != (org_id, order):
                update.append({"id": link.pk, **row})
            if link is None or link.org_id != org_id:
                added.append((project_id, org_id))
        remove += [kind.link(pk=link.pk, project_id=project_id, **{fk: link.org_id}, order=link.order)
                   for link in spare]
    write.update(kind.link, update, [fk, "order"])
    if update:
        write.history(kind.link, update, "~")
    if create:
        last = write.last_pk(kind.link)
        write.insert(kind.link, create)
        qn = connection.ops.quote_name
        write.history_since(kind.link, last, where="{} IN (SELECT {} FROM {} WHERE {} = %s)".format(
            qn("project_id"), qn(Project._meta.pk.column), qn(Project._meta.db_table),
            qn(Project._meta.get_field("year").column)), params=(year,))
    for link in remove:
        link._history_user, link._change_reason, link._history_date = write.user, write.reason, write.now
        link.delete()
    return added


def import_annex(source, *, user=None, year: int | None = None, sheet: str | None = None,
                 dry_run: bool = False) -> ImportResult:
    """Read a workbook and apply it (or, with ``dry_run``, only say what would change). Raises ``AnnexRefused``."""
    annex = load_annex(source, year=year, sheet=sheet)
    return plan_import(annex).summary() if dry_run else apply_import(annex, user=user)


def import_reference_list(*, path: Path = ANNEX_FIXTURE) -> ImportResult | None:
    """Import the shipped 2024 list into an empty portal; ``None`` (and nothing written) when any project exists."""
    if Project.objects.exists():
        return None
    return import_annex(path)


def annex_rows(projects: QuerySet) -> list[dict]:
    """The projects as the annex list's rows (the export JSON's and ``write_annex``'s shape), in list order."""
    return [
        {
            "seq": p.seq, "society": p.society.name, "title": p.title,
            "districts": [u.name for u in p.district_list], "upper_units": [u.name for u in p.upper_unit_list],
            "partners": [u.name for u in p.partner_list], "due_text": p.due_text,
            "due_start": p.due_start.isoformat() if isinstance(p.due_start, date) else None,
            "due_end": p.due_end.isoformat() if isinstance(p.due_end, date) else None,
            "contact": p.contact, "remarks": p.remarks, "status": p.status,
        }
        for p in projects.with_links().in_list_order()
    ]


def export_annex(projects: QuerySet, *, year: int) -> bytes:
    """The projects as an .xlsx workbook in the annex layout (formula-safe text). No side effects."""
    return write_annex(year, annex_rows(projects))


# --- the uploaded workbook between preview and confirm ---------------------------------------------------------
# Kept privately under MEDIA_ROOT (no URL serves it) with a random name that only the uploader's session knows.
UPLOAD_DIR = "annex-imports"
UPLOAD_TTL_SECONDS = 3600


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def stashed_upload(token: str) -> Path | None:
    """The kept workbook of ``token`` if it exists and has not expired."""
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    path = _upload_dir() / "{}.xlsx".format(token)
    try:
        fresh = timezone.now().timestamp() - path.stat().st_mtime < UPLOAD_TTL_SECONDS
    except OSError:
        return None
    return path if fresh else None


def stash_upload(upload) -> str:
    """Keep an uploaded workbook for the confirm step; returns its random token. Deletes expired ones."""
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = timezone.now().timestamp()
    for old in folder.glob("*.xlsx"):
        try:
            if now - old.stat().st_mtime >= UPLOAD_TTL_SECONDS:
                old.unlink()
        except OSError:
            pass
    token = uuid.uuid4().hex
    upload.seek(0)
    with (folder / "{}.xlsx".format(token)).open("xb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return token


def discard_upload(token: str) -> None:
    """Delete the kept workbook of ``token`` (after an apply, a cancel, or a new upload)."""
    if re.fullmatch(r"[0-9a-f]{32}", token or ""):
        (_upload_dir() / "{}.xlsx".format(token)).unlink(missing_ok=True)
