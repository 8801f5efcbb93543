"""Domain operations on projects (views, admin, commands and tasks call these; none re-implements them)."""

import functools
import gc
import hashlib
import json
import logging
import re
import sqlite3
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max, Model, Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from societies.access import is_secretariat
from societies.choices import PartnerKind, Role, UpperUnitLevel
from societies.models import Contact, District, Partner, Society, UpperUnit, name_key

from .signals import projects_bulk_changed
from .annex import Annex, AnnexIssue, AnnexRefused, AnnexRow, read_annex, write_annex
from .choices import DeliveryState, NotificationLevel, ProjectStatus, ReminderKind, ReviewStatus
from .models import (
    ActivityOutcome,
    Attachment,
    CalendarFeed,
    Notification,
    ProgressUpdate,
    Project,
    ProjectDistrict,
    ProjectPartner,
    ProjectUpperUnit,
    ReminderLedger,
    ReminderPolicy,
    ReminderRun,
    TaskForce,
    TaskForceMember,
    WebhookDelivery,
)

logger = logging.getLogger(__name__)


# ================================================================================================================
# The annex list: import with a preview, and export (issue #4).
# ================================================================================================================

ANNEX_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "annex-2024.xlsx"
IMPORT_REASON = "导入清单"  # the change reason on every history record an import writes
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class _Kind:
    """One kind of organisation the list names: its model, the project's link model and the link's field."""

    key: str
    model: type[Model]
    link: type[Model] | None = None
    link_field: str = ""


SOCIETIES = _Kind("societies", Society)
KINDS = (
    _Kind("districts", District, ProjectDistrict, "district"),
    _Kind("upper_units", UpperUnit, ProjectUpperUnit, "upper_unit"),
    _Kind("partners", Partner, ProjectPartner, "partner"),
)
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
        with _no_cyclic_gc():
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


def plan_import(annex: Annex, *, user=None) -> ImportPlan:
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


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: reading and importing a large list allocates a few hundred thousand
    short-lived objects without reference cycles, and collection passes over them cost about a tenth of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _sqlite_real_parameter_limit() -> Iterator[None]:
    """Let bulk operations use the linked SQLite's real parameter limit instead of Django's historic 999.

    Django 5.2 splits SQLite bulk inserts into batches of 999 parameters, which makes an import's query count grow
    with the list; SQLite 3.32+ allows 32766 or more, which the connection reports.
    """
    features = connection.features
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    before = features.max_query_params
    features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    try:
        yield
    finally:
        features.max_query_params = before


class _Writer:
    """Multi-row INSERTs of plain values (one ``executemany`` per table) and their history records.

    The ORM's bulk_create builds a model instance and compiles every value of every row, which costs more than the
    whole file's parse for the link tables; rows here are tuples, dates and times converted once per column.
    """

    def __init__(self, *, user, now):
        self.user_id = user.pk if user is not None else None
        self.now = now

    @staticmethod
    def _columns(model) -> dict[str, tuple[str, object]]:
        ops = connection.ops
        result = {}
        for f in model._meta.concrete_fields:
            internal = f.get_internal_type()
            convert = (ops.adapt_datetimefield_value if internal == "DateTimeField"
                       else ops.adapt_datefield_value if internal == "DateField" else None)
            result[f.attname] = (f.column, convert)
        return result

    def insert(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        columns = self._columns(model)
        names = list(rows[0])
        qn = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            qn(model._meta.db_table), ", ".join(qn(columns[name][0]) for name in names), ", ".join(["%s"] * len(names)))
        converters = [(i, columns[name][1], {}) for i, name in enumerate(names) if columns[name][1]]
        values = []
        for row in rows:
            line = list(row.values())
            for i, convert, seen in converters:  # the same few dates and times recur: convert each once
                value = line[i]
                if value not in seen:
                    seen[value] = convert(value)
                line[i] = seen[value]
            values.append(line)
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)

    def update(self, model, rows: list[dict], fields: list[str]) -> None:
        """One ``UPDATE … WHERE id = %s`` run for every row (executemany): linear, unlike bulk_update's CASE."""
        columns = self._columns(model)
        qn = connection.ops.quote_name
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            qn(model._meta.db_table), ", ".join("{} = %s".format(qn(columns[name][0])) for name in fields),
            qn(model._meta.pk.column))
        values = []
        for row in rows:
            values.append([columns[name][1](row[name]) if columns[name][1] else row[name] for name in fields]
                          + [row["id"]])
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)

    def create(self, model, rows: list[dict], key_fields: tuple[str, ...]) -> dict[tuple, int]:
        """Insert new rows (the model's field defaults filled in), read their primary keys back by ``key_fields``
        (unique among the new rows) in one query, record their history; returns key → primary key."""
        if not rows:
            return {}
        defaults = {name: value for name, value in self.values(model()).items() if name != "id"}
        rows = [defaults | row for row in rows]
        last = model.objects.aggregate(last=Max("pk"))["last"] or 0
        self.insert(model, rows)
        by_key = {tuple(row[name] for name in key_fields): row for row in rows}
        for pk, *key in model.objects.filter(pk__gt=last).values_list("pk", *key_fields):
            if (row := by_key.get(tuple(key))) is not None:
                row["id"] = pk
        self.history_since(model, last)
        return {key: row["id"] for key, row in by_key.items()}

    def history_since(self, model, last: int, *, project_year: int | None = None) -> None:
        """"+" history records of the rows inserted after primary key ``last`` (of projects of ``project_year``),
        copied inside the database by one INSERT … SELECT."""
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        qn = connection.ops.quote_name
        history = model.history.model
        columns = [qn(f.column) for f in history.tracked_fields]
        extra = ["history_date", "history_change_reason", "history_type", "history_user"]
        sql = "INSERT INTO {} ({}, {}) SELECT {}, %s, %s, %s, %s FROM {} WHERE {} > %s".format(
            qn(history._meta.db_table), ", ".join(columns),
            ", ".join(qn(history._meta.get_field(name).column) for name in extra), ", ".join(columns),
            qn(model._meta.db_table), qn(model._meta.pk.column))
        params = [connection.ops.adapt_datetimefield_value(self.now), IMPORT_REASON, "+", self.user_id, last]
        if project_year is not None:
            sql += " AND {} IN (SELECT {} FROM {} WHERE {} = %s)".format(
                qn("project_id"), qn(Project._meta.pk.column), qn(Project._meta.db_table),
                qn(Project._meta.get_field("year").column))
            params.append(project_year)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def history(self, model, rows: list[dict], history_type: str) -> None:
        """History records (``+`` created, ``~`` changed, ``-`` deleted) by the importing user, "导入清单"."""
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        extra = {"history_date": self.now, "history_user_id": self.user_id, "history_change_reason": IMPORT_REASON,
                 "history_type": history_type}
        self.insert(model.history.model, [row | extra for row in rows])

    @staticmethod
    def values(obj: Model) -> dict:
        return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def apply_import(plan_or_annex: "ImportPlan | Annex", *, user=None) -> ImportResult:
    """Apply an import in one transaction: create the new organisations, create and update projects, replace the
    changed link lists; every row written gets a history record by ``user`` with the reason "导入清单".

    Given a plan (from a preview), the plan is made again inside the transaction and applied only if it is still
    the same, otherwise ``ImportPlanChanged``. Bulk statements only: the number of queries does not depend on the
    size of the list. Never deletes a project.
    """
    annex = plan_or_annex.annex if isinstance(plan_or_annex, ImportPlan) else plan_or_annex
    user = user if getattr(user, "is_authenticated", False) else None
    try:
        with _no_cyclic_gc(), transaction.atomic(), _sqlite_real_parameter_limit():
            plan = plan_import(annex, user=user)
            if isinstance(plan_or_annex, ImportPlan) and plan.fingerprint() != plan_or_annex.fingerprint():
                raise ImportPlanChanged
            _apply(plan, user=user)
            transaction.on_commit(lambda: projects_bulk_changed.send(sender=Project))
    except IntegrityError:
        # Another import created the same organisation or project at the same moment.
        raise ImportPlanChanged from None
    return plan.summary()


def _apply(plan: ImportPlan, *, user) -> None:
    now = timezone.now()
    write = _Writer(user=user, now=now)
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
    for kind in KINDS:
        fk = kind.link_field + "_id"
        create, reorder, remove = [], [], []
        for project_id, item in targets:
            current = {link.org_id: link for link in plan._existing_links[kind.key].get(project_id, [])}
            for order, name in enumerate(item.values[kind.key]):
                org_id = ids[kind.key][_key(name)]
                link = current.pop(org_id, None)
                if link is None:
                    create.append({"project_id": project_id, fk: org_id, "order": order})
                elif link.order != order:
                    reorder.append(link._replace(order=order))
            remove.extend(current.values())

        def rows(links: list[_Link], fk: str = fk) -> list[dict]:
            return [{"id": link.pk, "project_id": link.project_id, fk: link.org_id, "order": link.order}
                    for link in links]

        if remove:
            # A raw delete: a queryset delete would write one history record per link (per-row queries).
            kind.link.objects.filter(pk__in=[link.pk for link in remove])._raw_delete(kind.link.objects.db)
            write.history(kind.link, rows(remove), "-")
        if reorder:
            write.update(kind.link, rows(reorder), ["order"])
            write.history(kind.link, rows(reorder), "~")
        if create:
            last = kind.link.objects.aggregate(last=Max("pk"))["last"] or 0
            write.insert(kind.link, create)
            write.history_since(kind.link, last, project_year=plan.year)


def import_annex(source, *, user=None, year: int | None = None, sheet: str | None = None,
                 dry_run: bool = False) -> ImportResult:
    """Read a workbook and apply it (or, with ``dry_run``, only say what would change). Raises ``AnnexRefused``."""
    annex = load_annex(source, year=year, sheet=sheet)
    return plan_import(annex, user=user).summary() if dry_run else apply_import(annex, user=user)


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

# ================================================================================================================
# Notifications, deadline reminders (催办) and their delivery, calendar feeds (issue #6).
# ================================================================================================================

EMAIL_MAX_ATTEMPTS = 5
WEBHOOK_MAX_ATTEMPTS = 5
WEBHOOK_TIMEOUT_SECONDS = 5
DELIVERY_CHUNK = 100  # notifications per delivery task: few broker messages, a small loss if a worker dies
BULK_BATCH = 4000  # rows per INSERT (under PostgreSQL's 65,535 parameters; SQLite: see sanlian/db.py)


def local_today() -> date:
    """Today in the city's time zone (settings.TIME_ZONE, Asia/Shanghai), whatever the server's clock zone."""
    return timezone.localdate()


def recipient_key(user: User | None, email: str) -> str:
    """The recipient part of a ledger key: the account when there is one, else the e-mail address."""
    return "user:{}".format(user.pk) if user is not None else "email:{}".format(email.strip().lower())


def _enqueue(task, **kwargs) -> bool:
    """Publish a task now; a broker that is down is logged, never raised (the catch-up job re-drives the rows)."""
    return _enqueue_later(task, countdown=0, **kwargs)


def _enqueue_later(task, *, countdown: int, **kwargs) -> bool:
    try:
        task.apply_async(kwargs=kwargs, countdown=countdown or None)
        return True
    except Exception:  # the broker being down must not break the page or the run that queued the work
        logger.warning("Could not queue %s %s; the catch-up job will deliver it.", task.name, kwargs, exc_info=True)
        return False


def _queue_deliveries(notification_ids: list[int], webhook_ids: list[int]) -> None:
    """After the transaction that wrote the rows commits, queue their delivery in chunks."""
    from .tasks import task_deliver_notifications, task_deliver_webhooks

    def publish() -> None:
        for start in range(0, len(notification_ids), DELIVERY_CHUNK):
            _enqueue(task_deliver_notifications, notification_ids=notification_ids[start:start + DELIVERY_CHUNK])
        for start in range(0, len(webhook_ids), DELIVERY_CHUNK):
            _enqueue(task_deliver_webhooks, delivery_ids=webhook_ids[start:start + DELIVERY_CHUNK])

    if notification_ids or webhook_ids:
        transaction.on_commit(publish)


# --- notifications ----------------------------------------------------------------------------------------------


def notify(
    *,
    user: User | None = None,
    email: str | None = None,
    kind: str,
    title: str,
    body: str,
    url: str = "",
    level: str = NotificationLevel.INFO,
    subject: models.Model | None = None,
    target_date: date | None = None,
    step: int = 0,
    send_email: bool = True,
) -> Notification | None:
    """Notify one person: in the notification centre (``user``) and by e-mail (``email``, default the user's).

    With ``subject`` (any saved model instance) and ``target_date`` the notification is sent at most once per
    (subject, kind, step, target date, recipient): the ledger row is written in the same transaction, and a repeat
    returns ``None``. Side effects: a Notification row, a ReminderLedger row with a subject, and after commit a
    Celery task that sends the e-mail. Raises ValueError when there is nobody to notify.
    """
    address = (getattr(user, "email", "") if email is None else email).strip() if send_email else ""
    if user is None and not address:
        raise ValueError("notify() needs a user or an e-mail address")
    if subject is not None and target_date is None:
        raise ValueError("notify() with a subject needs the target_date of its ledger key")
    with transaction.atomic():
        entry = None
        if subject is not None:
            try:
                with transaction.atomic():
                    entry = ReminderLedger.objects.create(
                        subject_type=subject._meta.label_lower, subject_id=subject.pk, kind=kind, step=step,
                        target_date=target_date, recipient_key=recipient_key(user, address),
                    )
            except IntegrityError:
                return None
        notification = Notification.objects.create(
            recipient=user, email=address, kind=kind, level=level, title=title[:300], body=body, url=url,
            email_state=DeliveryState.PENDING if address else DeliveryState.NONE,
        )
        if entry is not None:
            entry.notification = notification
            entry.save(update_fields=["notification"])
        _queue_deliveries([notification.pk] if address else [], [])
    return notification


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count() if user.is_authenticated else 0


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them without an id. Returns how many changed."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        queryset = queryset.filter(pk=notification_id)
    return queryset.update(read_at=timezone.now())


def _email_message(notification: Notification) -> EmailMultiAlternatives:
    context = {"notification": notification, "link": notification.absolute_url, "site_url": settings.SITE_URL}
    with translation.override(settings.LANGUAGE_CODE):
        subject = "[{}] {}".format(gettext("Sanlian Sancu"), notification.title)
        text = render_to_string("projects/email/notification.txt", context)
        html = render_to_string("projects/email/notification.html", context)
    # A stable Message-ID: in the one case a message can go out twice (see deliver_notification_email), mail
    # systems recognise the copy.
    host = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "sanlian"
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[notification.email],
        headers={"Message-ID": "<notification-{}@{}>".format(notification.pk, host)},
    )
    message.attach_alternative(html, "text/html")
    return message


def deliver_notification_email(*, notification_id: int) -> str:
    """Send a pending notification's e-mail once. Returns "sent", "skipped" (not pending), "retry" or "failed".

    The row is locked and checked, the message sent, and the row marked sent, all in one transaction: a redelivered
    task or a second worker waits for the lock and then finds it sent. A crash after the mail server accepted the
    message but before the commit leaves the row pending, so it is sent again: we choose a possible duplicate over a
    missed deadline reminder (the Message-ID is stable, so the copy is recognisable).
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().filter(pk=notification_id, email_state=DeliveryState.PENDING).first()
        )
        if notification is None:
            return "skipped"
        notification.email_attempts += 1
        try:
            _email_message(notification).send()
        except Exception as exc:  # an SMTP or network error of any kind: record it and try again later
            notification.email_error = str(exc)[:2000]
            if notification.email_attempts >= EMAIL_MAX_ATTEMPTS:
                notification.email_state = DeliveryState.FAILED
            notification.save(update_fields=["email_attempts", "email_error", "email_state"])
            logger.warning("E-mail of notification %s failed (attempt %s): %s", notification_id,
                           notification.email_attempts, exc)
            return "failed" if notification.email_state == DeliveryState.FAILED else "retry"
        notification.email_state = DeliveryState.SENT
        notification.email_sent_at = timezone.now()
        notification.save(update_fields=["email_attempts", "email_state", "email_sent_at"])
    return "sent"


def webhook_backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … after each failed attempt."""
    return timedelta(seconds=30 * 2 ** max(attempts - 1, 0))


def _post_webhook(url: str, text: str) -> None:
    """POST a text message in the format both WeCom and DingTalk group robots accept; raise on any failure."""
    payload = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=payload, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310 (admin-set URL)
        answer = response.read(4096)
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        raise RuntimeError("robot answered errcode {}: {}".format(errcode, answer[:300].decode(errors="replace")))


def deliver_webhook(*, delivery_id: int) -> tuple[str, int]:
    """Post one pending webhook message; on failure schedule the next attempt with back-off, and log it.

    Returns the outcome ("sent", "skipped", "retry", "failed") and the seconds until the next attempt.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if delivery is None:
            return "skipped", 0
        delivery.attempts += 1
        try:
            _post_webhook(delivery.url, delivery.text)
        except Exception as exc:  # network, HTTP or robot error: all are retried the same way
            delivery.last_error = str(exc)[:2000]
            wait = webhook_backoff(delivery.attempts)
            delivery.next_attempt_at = timezone.now() + wait
            if delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
                delivery.state = DeliveryState.FAILED
            delivery.save(update_fields=["attempts", "last_error", "next_attempt_at", "state"])
            logger.warning("Webhook %s of %s failed (attempt %s): %s", delivery_id, delivery.society, delivery.attempts,
                           exc)
            return ("failed", 0) if delivery.state == DeliveryState.FAILED else ("retry", int(wait.total_seconds()))
        delivery.state = DeliveryState.SENT
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["attempts", "state", "sent_at"])
    return "sent", 0


# --- the daily reminder run -------------------------------------------------------------------------------------

RUN_KEYS = ("due_soon", "due_today", "overdue", "escalated", "no_update", "notifications", "emails", "webhooks",
            "already_sent", "unreachable")
PROJECT = "projects.project"
DIGEST = "projects.digest"
CONTACT_KINDS = (ReminderKind.DUE_SOON, ReminderKind.DUE_TODAY, ReminderKind.OVERDUE, ReminderKind.NO_UPDATE)


@dataclass(frozen=True)
class Recipient:
    user: User | None
    email: str

    @property
    def key(self) -> str:
        return recipient_key(self.user, self.email)


@dataclass
class Stage:
    """One reminder a project is due today, for a set of recipients."""

    project: Project
    kind: str
    level: str
    target: date
    step: int = 0
    recipients: list[Recipient] = field(default_factory=list)

    def key(self, recipient_key: str) -> tuple:
        return (PROJECT, self.project.pk, self.kind, self.step, self.target, recipient_key)


def _people(users) -> list[Recipient]:
    return [Recipient(user, user.email.strip()) for user in users]


def _merge(*groups: list[Recipient]) -> list[Recipient]:
    """Recipients without repeats: one account once, one address once."""
    seen, result = set(), []
    for recipient in (r for group in groups for r in group):
        marks = {recipient.key} | ({"email:" + recipient.email.lower()} if recipient.email else set())
        if marks & seen:
            continue
        seen |= marks
        result.append(recipient)
    return result


def _role_users(role: Role):
    users = User.objects.filter(is_active=True, groups__name=role)
    if role == Role.SECRETARIAT:
        users = User.objects.filter(Q(is_active=True) & (Q(groups__name=role) | Q(is_superuser=True)))
    return list(users.distinct().order_by("pk"))


def _society_users() -> dict[int, list[User]]:
    result: dict[int, list[User]] = defaultdict(list)
    users = User.objects.filter(is_active=True, groups__name=Role.SOCIETY, profile__society__isnull=False)
    for user in users.annotate(society_pk=models.F("profile__society_id")).order_by("pk"):
        result[user.society_pk].append(user)
    return result


def open_projects():
    """Projects that can still be reminded: not done or cancelled; with their contacts and last update date."""
    return (
        Project.objects.exclude(status__in=ProjectStatus.closed())
        .filter(Q(due_end__isnull=False) | Q(status=ProjectStatus.IN_PROGRESS))
        .select_related("society")
        .annotate(last_update=Max("updates__happened_on"))
        .prefetch_related(Prefetch("contacts", Contact.objects.select_related("user").order_by("pk")))
        .order_by("due_end", "pk")
    )


def project_recipients(project: Project, society_users: dict[int, list[User]]) -> list[Recipient]:
    """The society's contact accounts, then the project's contacts (their account if any, else their e-mail)."""
    contacts = [
        Recipient(c.user, (c.user.email or c.email).strip()) if c.user and c.user.is_active else Recipient(None, c.email)
        for c in project.contacts.all()
        if (c.user and c.user.is_active) or c.email
    ]
    return _merge(_people(society_users.get(project.society_id, [])), contacts)


def project_stages(project: Project, *, today: date, policy: ReminderPolicy) -> list[Stage]:
    """The reminders ``project`` is due on ``today`` under ``policy`` (without recipients).

    Before the due window ends: the nearest "N days before" not yet passed (a missed 7-day reminder is still sent
    on day 5, but not on day 1, where the 1-day one replaces it); the due day; once overdue: the contacts, after X
    days the chair and secretariat, after Y days the leadership; every Z days without an update: a nudge.
    """
    stages = []
    end = project.due_end
    if end is not None:
        days_left = (end - today).days
        if days_left > 0:
            steps = [n for n in policy.days_before_list if n >= days_left]
            if steps:
                stages.append(Stage(project, ReminderKind.DUE_SOON, NotificationLevel.YELLOW, end, min(steps)))
        elif days_left == 0:
            if policy.remind_due_day:
                stages.append(Stage(project, ReminderKind.DUE_TODAY, NotificationLevel.ORANGE, end))
        else:
            if policy.remind_overdue:
                stages.append(Stage(project, ReminderKind.OVERDUE, NotificationLevel.RED, end))
            if -days_left >= policy.escalate_after_days:
                stages.append(Stage(project, ReminderKind.ESCALATED, NotificationLevel.RED, end))
            if -days_left >= policy.red_after_days:
                stages.append(Stage(project, ReminderKind.RED, NotificationLevel.RED, end))
    if project.status == ProjectStatus.IN_PROGRESS:
        last = max(filter(None, [project.last_update, timezone.localdate(project.created_at)]))
        idle = (today - last).days
        if idle >= policy.no_update_days:
            target = last + timedelta(days=policy.no_update_days * (idle // policy.no_update_days))
            stages.append(Stage(project, ReminderKind.NO_UPDATE, NotificationLevel.YELLOW, target))
    return stages


def _reminder_text(stage: Stage, today: date) -> tuple[str, str]:
    """Title and body (in the portal's language) of a stage's message: the project, its due date, what to do."""
    project = stage.project
    facts = {
        "title": project.title, "society": project.society.name, "due_text": project.due_text or "-",
        "due_end": project.due_end.isoformat() if project.due_end else "-", "days": stage.step,
        "late": (today - project.due_end).days if project.due_end else 0, "since": stage.target.isoformat(),
    }
    texts = {
        ReminderKind.DUE_SOON: (
            gettext("Due in {days} days: {title}"),
            gettext("The project “{title}” ({society}) is due {due_text}; its due window ends on {due_end}, in "
              "{days} days. Please post a progress update before then, and set its status to “Done” "
              "when it is finished."),
        ),
        ReminderKind.DUE_TODAY: (
            gettext("Due today: {title}"),
            gettext("The due window of the project “{title}” ({society}, due {due_text}) ends today, {due_end}. "
              "Please post today's progress and set its status to “Done”, or to “Delayed” with "
              "the reason."),
        ),
        ReminderKind.OVERDUE: (
            gettext("Overdue: {title}"),
            gettext("The project “{title}” ({society}) was due by {due_end} ({due_text}) and is {late} days "
              "overdue. Please post its progress and set its status (done, or delayed with the reason and a new "
              "date)."),
        ),
        ReminderKind.ESCALATED: (
            gettext("Escalated, {late} days overdue: {title}"),
            gettext("The project “{title}” of {society} was due by {due_end} ({due_text}) and is {late} days "
              "overdue without being closed. Please follow it up with the society's contact."),
        ),
        ReminderKind.RED: (
            gettext("Red list, {late} days overdue: {title}"),
            gettext("The project “{title}” of {society} was due by {due_end} ({due_text}) and is {late} days "
              "overdue. It is on the leadership's red list."),
        ),
        ReminderKind.NO_UPDATE: (
            gettext("No progress update since {since}: {title}"),
            gettext("The project “{title}” ({society}) is in progress but has had no progress update for a "
              "while (due {due_text}). Please post what has been done, with photos or documents if there are any."),
        ),
    }
    title, body = texts[stage.kind]
    return title.format(**facts), body.format(**facts)


@dataclass
class _Plan:
    counts: dict
    stages: list[Stage]
    digest: dict[str, list[Project]]


def _plan(*, today: date, policy: ReminderPolicy) -> _Plan:
    """Every stage due today with its recipients, and the digest lists, in a fixed number of queries."""
    counts: dict = {"date": today.isoformat(), **dict.fromkeys(RUN_KEYS, 0)}
    society_users = _society_users()
    secretariat = _people(_role_users(Role.SECRETARIAT))
    leaders = _people(_role_users(Role.LEADER))
    week_end = today + timedelta(days=6 - today.weekday())
    digest: dict[str, list[Project]] = {"due_this_week": [], "overdue": [], "escalated": [], "red": [], "no_update": []}
    stages: list[Stage] = []
    for project in open_projects():
        contacts = project_recipients(project, society_users)
        if project.due_end and today <= project.due_end <= week_end:
            digest["due_this_week"].append(project)
        found = project_stages(project, today=today, policy=policy)
        kinds = {stage.kind for stage in found}
        if project.due_end and project.due_end < today:
            counts["overdue"] += 1
            digest["overdue"].append(project)
        for kind, name in ((ReminderKind.DUE_SOON, "due_soon"), (ReminderKind.DUE_TODAY, "due_today"),
                           (ReminderKind.ESCALATED, "escalated"), (ReminderKind.NO_UPDATE, "no_update")):
            counts[name] += kind in kinds
        for kind, name in ((ReminderKind.ESCALATED, "escalated"), (ReminderKind.RED, "red"),
                           (ReminderKind.NO_UPDATE, "no_update")):
            if kind in kinds:
                digest[name].append(project)
        for stage in found:
            if stage.kind in CONTACT_KINDS:
                stage.recipients = contacts
                counts["unreachable"] += not any(r.email for r in contacts)
            elif stage.kind == ReminderKind.ESCALATED:
                chair = [Recipient(None, project.society.chair_email.strip())] if project.society.chair_email else []
                stage.recipients = _merge(secretariat, chair)
            else:
                stage.recipients = leaders
            stages.append(stage)
    digest["recipients"] = _merge(secretariat, leaders) if today.weekday() == policy.digest_weekday else []
    return _Plan(counts, stages, digest)


def _digest_sections(digest: dict) -> list[tuple[str, list[Project]]]:
    return [
        (gettext("Due this week"), digest["due_this_week"]),
        (gettext("Overdue"), digest["overdue"]),
        (gettext("Escalated to the society chair and secretariat"), digest["escalated"]),
        (gettext("Red list (leadership)"), digest["red"]),
        (gettext("No progress update"), digest["no_update"]),
    ]


def reminder_overview(*, today: date) -> dict:
    """The weekly digest's lists as of ``today`` (for the digest page); read-only, a fixed number of queries."""
    plan = _plan(today=today, policy=ReminderPolicy.current())
    return {"sections": _digest_sections(plan.digest), "counts": plan.counts}


def _digest_text(digest: dict, today: date) -> tuple[str, str]:
    def block(label: str, projects: list[Project]) -> str:
        lines = ["{} ({})".format(label, len(projects))]
        lines += ["  - {} · {} · {}".format(p.society.name, p.title, p.due_end or "-") for p in projects[:30]]
        if len(projects) > 30:
            lines.append("  " + gettext("… and {count} more").format(count=len(projects) - 30))
        return "\n".join(lines)

    title = gettext("Weekly reminder digest, {date}").format(date=today.isoformat())
    body = "\n\n".join(block(label, projects) for label, projects in _digest_sections(digest))
    return title, body


def send_reminders(*, today: date | None = None, dry_run: bool = False) -> dict:
    """The daily job: queue every reminder due on ``today`` (default: today in Beijing) that was not sent before.

    Returns the counts ``{"date", "due_soon", "due_today", "overdue", "escalated", "no_update", "notifications",
    "emails", "webhooks", "already_sent", "unreachable"}`` (stage counts are projects; ``unreachable`` counts
    reminders whose recipients have no e-mail address). Side effects, unless ``dry_run``: in one transaction,
    Notification, WebhookDelivery and ReminderLedger rows and today's ReminderRun; after commit, delivery tasks.
    Concurrent runs are serialised on the policy row, so two beat processes or a rerun never send twice.
    """
    today = today or local_today()
    policy = ReminderPolicy.current()
    with transaction.atomic():
        # The lock that serialises concurrent runs (SQLite: the IMMEDIATE transaction already holds the write lock).
        policy = ReminderPolicy.objects.select_for_update().get(pk=policy.pk)
        if not policy.enabled:
            return {"date": today.isoformat(), **dict.fromkeys(RUN_KEYS, 0)}
        plan = _plan(today=today, policy=policy)
        counts = plan.counts
        with translation.override(settings.LANGUAGE_CODE):
            people, robots = [], []  # (key, Notification) and (key, WebhookDelivery) candidates
            for stage in plan.stages:
                title, body = _reminder_text(stage, today)
                url = stage.project.get_absolute_url()
                for recipient in stage.recipients:
                    people.append((stage.key(recipient.key), Notification(
                        recipient=recipient.user, email=recipient.email, kind=stage.kind, level=stage.level,
                        title=title[:300], body=body, url=url,
                        email_state=DeliveryState.PENDING if recipient.email else DeliveryState.NONE,
                    )))
                society: Society = stage.project.society
                if stage.kind in CONTACT_KINDS and society.webhook_url:
                    text = "{}\n{}\n{}".format(title, body, settings.SITE_URL + url)
                    robots.append((stage.key("webhook:{}".format(society.pk)),
                                   WebhookDelivery(society=society, url=society.webhook_url, text=text)))
            if plan.digest["recipients"]:
                title, body = _digest_text(plan.digest, today)
                url = reverse("projects:reminder_digest")
                for recipient in plan.digest["recipients"]:
                    key = (DIGEST, 0, ReminderKind.DIGEST, 0, today, recipient.key)
                    people.append((key, Notification(
                        recipient=recipient.user, email=recipient.email, kind=ReminderKind.DIGEST,
                        level=NotificationLevel.INFO, title=title, body=body, url=url,
                        email_state=DeliveryState.PENDING if recipient.email else DeliveryState.NONE,
                    )))
        existing = _existing_keys([key for key, _obj in people + robots])
        new_people = [(key, obj) for key, obj in people if key not in existing]
        new_robots = [(key, obj) for key, obj in robots if key not in existing]
        counts["already_sent"] = len(people) - len(new_people)
        counts["notifications"] = len(new_people)
        counts["emails"] = sum(1 for _key, obj in new_people if obj.email)
        counts["webhooks"] = len(new_robots)
        if dry_run:
            return counts
        notifications = Notification.objects.bulk_create([obj for _key, obj in new_people], batch_size=BULK_BATCH)
        webhooks = WebhookDelivery.objects.bulk_create([obj for _key, obj in new_robots], batch_size=BULK_BATCH)
        ReminderLedger.objects.bulk_create(
            [_ledger(key, notification=obj) for (key, _o), obj in zip(new_people, notifications)]
            + [_ledger(key, webhook=obj) for (key, _o), obj in zip(new_robots, webhooks)],
            batch_size=BULK_BATCH,
        )
        run, created = ReminderRun.objects.get_or_create(date=today, defaults={"runs": 1, "counts": counts})
        if not created:
            ReminderRun.objects.filter(pk=run.pk).update(runs=models.F("runs") + 1, last_run_at=timezone.now(),
                                                         counts=counts)
        _queue_deliveries([n.pk for n in notifications if n.email], [w.pk for w in webhooks])
    return counts


KEY_FIELDS = ("subject_type", "subject_id", "kind", "step", "target_date", "recipient_key")


def _ledger(key: tuple, **links) -> ReminderLedger:
    return ReminderLedger(**dict(zip(KEY_FIELDS, key)), **links)


def _existing_keys(keys: list[tuple]) -> set[tuple]:
    """The keys among ``keys`` already in the ledger, in one query (a date range, not one parameter per key)."""
    if not keys:
        return set()
    dates = [key[4] for key in keys]
    rows = ReminderLedger.objects.filter(
        subject_type__in={key[0] for key in keys}, target_date__gte=min(dates), target_date__lte=max(dates)
    ).values_list(*KEY_FIELDS)
    return set(rows) & set(keys)


def redrive_pending(*, older_than: datetime | None = None, limit: int = 5000) -> int:
    """Queue again the deliveries still pending (a broker that was down, a worker that died); returns how many.

    Safe to repeat: the delivering task checks each row's state under a lock and sends only pending ones.
    """
    from .tasks import task_deliver_notifications, task_deliver_webhooks

    cutoff = older_than or timezone.now()
    ids = list(
        Notification.objects.filter(email_state=DeliveryState.PENDING, created_at__lte=cutoff)
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )
    hooks = list(
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now(),
                                       created_at__lte=cutoff).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(ids), DELIVERY_CHUNK):
        _enqueue(task_deliver_notifications, notification_ids=ids[start:start + DELIVERY_CHUNK])
    for start in range(0, len(hooks), DELIVERY_CHUNK):
        _enqueue(task_deliver_webhooks, delivery_ids=hooks[start:start + DELIVERY_CHUNK])
    return len(ids) + len(hooks)


@transaction.atomic
def retry_webhooks(*, delivery_ids: list[int]) -> int:
    """Put failed or waiting webhook deliveries back to pending, due now, and queue them; returns how many."""
    ids = list(WebhookDelivery.objects.filter(pk__in=delivery_ids).exclude(state=DeliveryState.SENT)
               .values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids).update(state=DeliveryState.PENDING, next_attempt_at=timezone.now())
    _queue_deliveries([], ids)
    return len(ids)


def catch_up_reminders(*, now: datetime | None = None, stale_after: timedelta = timedelta(minutes=5)) -> dict:
    """Run today's reminders if the send time has passed and they did not run (the beat's message was lost, e.g.
    while Redis was down), and re-drive deliveries pending for longer than ``stale_after``.

    Returns ``{"ran": bool, "redriven": n}``. Side effects: those of ``send_reminders`` and ``redrive_pending``.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    policy = ReminderPolicy.current()
    ran = False
    if policy.enabled and local.time() >= policy.send_time and not ReminderRun.objects.filter(date=local.date()).exists():
        send_reminders(today=local.date())
        ran = True
    return {"ran": ran, "redriven": redrive_pending(older_than=now - stale_after)}


# --- the beat schedule ------------------------------------------------------------------------------------------

DAILY_TASK = "sanlian: daily deadline reminders"
CATCH_UP_TASK = "sanlian: reminders catch-up"
CATCH_UP_MINUTES = 10


def sync_reminder_schedule(*, policy: ReminderPolicy | None = None, apps=None) -> None:
    """Make django-celery-beat's schedule follow the policy: the daily run at the send time (Beijing time) and a
    catch-up every ten minutes. Side effects: CrontabSchedule, IntervalSchedule and PeriodicTask rows (beat
    reloads them)."""
    from django.apps import apps as global_apps

    models_of = (apps or global_apps).get_model
    CrontabSchedule, IntervalSchedule, PeriodicTask = (  # noqa: N806 (the migration passes historical models)
        models_of("django_celery_beat", name) for name in ("CrontabSchedule", "IntervalSchedule", "PeriodicTask")
    )
    policy = policy or ReminderPolicy.current()
    with transaction.atomic():
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=str(policy.send_time.minute), hour=str(policy.send_time.hour), day_of_week="*",
            day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE,
        )
        interval, _created = IntervalSchedule.objects.get_or_create(every=CATCH_UP_MINUTES,
                                                                    period="minutes")
        PeriodicTask.objects.update_or_create(name=DAILY_TASK, defaults={
            "task": "sanlian.projects.send_reminders", "crontab": crontab, "interval": None, "kwargs": "{}",
            "enabled": policy.enabled, "description": "Deadline reminders; time from the reminder policy.",
        })
        PeriodicTask.objects.update_or_create(name=CATCH_UP_TASK, defaults={
            "task": "sanlian.projects.catch_up_reminders", "interval": interval, "crontab": None, "kwargs": "{}",
            "enabled": policy.enabled, "description": "Runs the day's reminders if they were missed.",
        })


@transaction.atomic
def update_reminder_policy(*, policy: ReminderPolicy) -> ReminderPolicy:
    """Save the policy (the admin's form) and move the beat schedule with it."""
    policy.save()
    sync_reminder_schedule(policy=policy)
    return policy


# --- who cannot be reached; calendar feeds ----------------------------------------------------------------------


def unreachable() -> dict[str, list]:
    """Who reminders cannot reach by e-mail: society contact accounts and project contacts without an address,
    and open projects with nobody to remind at all. A fixed number of queries."""
    society_users = _society_users()
    users = [user for group in society_users.values() for user in group if not user.email.strip()]
    projects = list(open_projects())
    contacts, nobody = {}, []
    for project in projects:
        for contact in project.contacts.all():
            if not contact.email.strip() and not (contact.user and contact.user.email.strip()):
                contacts.setdefault(contact.pk, (contact, []))[1].append(project)
        if not project_recipients(project, society_users):
            nobody.append(project)
    societies = {s.pk: s for s in Society.objects.filter(pk__in={u.society_pk for u in users})}
    return {
        "users": [(user, societies.get(user.society_pk)) for user in sorted(users, key=lambda u: u.username)],
        "contacts": sorted(contacts.values(), key=lambda item: item[0].name),
        "projects": nobody,
    }


def get_or_create_feed(*, user: User) -> CalendarFeed:
    return CalendarFeed.objects.get_or_create(user=user)[0]


@transaction.atomic
def revoke_feed(*, user: User) -> CalendarFeed:
    """Replace the user's feed address by a new one; the old address answers 404 from now on."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)


def ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return "\r\n ".join(out)


def calendar_ics(*, feed: CalendarFeed) -> str:
    """The iCalendar text of the deadlines of the projects the feed's user may see (open ones, with a due date)."""
    projects = (
        Project.objects.for_user(feed.user).exclude(status__in=ProjectStatus.closed()).filter(due_end__isnull=False)
        .select_related("society").distinct().order_by("due_end", "pk")
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    host = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "sanlian"
    with translation.override(settings.LANGUAGE_CODE):
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//sanlian//reminders//ZH", "CALSCALE:GREGORIAN",
                 "X-WR-CALNAME:" + ics_text(gettext("Project deadlines")), "X-WR-TIMEZONE:" + settings.TIME_ZONE]
        for project in projects:
            lines += [
                "BEGIN:VEVENT",
                "UID:project-{}-{}@{}".format(project.pk, project.due_end.isoformat(), host),
                "DTSTAMP:" + stamp,
                "DTSTART;VALUE=DATE:" + project.due_end.strftime("%Y%m%d"),
                "DTEND;VALUE=DATE:" + (project.due_end + timedelta(days=1)).strftime("%Y%m%d"),
                "SUMMARY:" + ics_text(gettext("Due: {title}").format(title=project.title)),
                "DESCRIPTION:" + ics_text("{} · {} · {}".format(project.society.name, project.due_text,
                                                                 project.get_status_display())),
                "URL:" + settings.SITE_URL + project.get_absolute_url(),
                "END:VEVENT",
            ]
        lines.append("END:VCALENDAR")
    return "\r\n".join(ics_fold(line) for line in lines) + "\r\n"


# ================================================================================================================
# Keeping projects: edit, status, progress updates with attachments, task force, history (issue #3).
# ================================================================================================================

ATTACHMENT_TYPES = {
    # extension → (content type, what the content must be)
    ".jpg": ("image/jpeg", "jpeg"), ".jpeg": ("image/jpeg", "jpeg"), ".png": ("image/png", "png"),
    ".gif": ("image/gif", "gif"), ".webp": ("image/webp", "webp"), ".pdf": ("application/pdf", "pdf"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ".doc": ("application/msword", "ole"), ".xls": ("application/vnd.ms-excel", "ole"),
}
_OOXML_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


class AttachmentRefused(Exception):
    """An uploaded file that may not be stored; the message says why, in the user's language."""


def _content_kind(head: bytes, upload) -> str | None:
    """What the bytes are, judged by their content and never by the name or the browser's content type."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            upload.seek(0)
            names = set(zipfile.ZipFile(upload).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        for kind, part in _OOXML_PART.items():
            if part in names and "[Content_Types].xml" in names:
                return kind
    return None


def check_attachment(upload) -> str:
    """The content type to store ``upload`` under, or ``AttachmentRefused``: size limit, allowed extension, and
    content that really is what the extension says (an .exe renamed .jpg is refused)."""
    name = upload.name or ""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise AttachmentRefused(gettext("“{name}” is larger than {mb} MB.").format(
            name=name, mb=settings.UPLOAD_MAX_BYTES // 1024 // 1024))
    if not upload.size:
        raise AttachmentRefused(gettext("“{name}” is empty.").format(name=name))
    expected = ATTACHMENT_TYPES.get(Path(name).suffix.lower())
    if expected is None:
        raise AttachmentRefused(gettext(
            "“{name}” is not an allowed file type (photos, PDF, Word or Excel files).").format(name=name))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if _content_kind(head, upload) != expected[1]:
        raise AttachmentRefused(gettext(
            "The content of “{name}” does not match its file type; it was not stored.").format(name=name))
    return expected[0]


def _set_links(project: Project, kind: "_Kind", units) -> None:
    """Link ``units`` to ``project`` in the given order: kept links keep their row, removed ones go."""
    wanted = [unit.pk for unit in units]
    current = {getattr(link, kind.link_field + "_id"): link for link in kind.link.objects.filter(project=project)}
    for unit_id, link in current.items():
        if unit_id not in wanted:
            link.delete()
    for order, unit_id in enumerate(wanted):
        link = current.get(unit_id)
        if link is None:
            kind.link.objects.create(project=project, order=order, **{kind.link_field + "_id": unit_id})
        elif link.order != order:
            link.order = order
            link.save(update_fields=["order"])


def _ordered(existing: list, chosen) -> list:
    """The chosen units, those already linked first in their list order, the new ones after."""
    chosen = list(chosen)
    keep = [unit for unit in existing if unit in chosen]
    return keep + [unit for unit in chosen if unit not in keep]


@transaction.atomic
def save_project(project: Project | None, *, user, fields: dict, districts=(), upper_units=(),
                 partners=()) -> Project:
    """Create (``project`` None) or change a project and its ordered links; the due window is derived from the
    due text as typed (domain rules in ``projects.due``). Writes history records with ``user``."""
    from .due import due_window

    creating = project is None
    if creating:
        project = Project(created_by=user)
        last = Project.objects.filter(year=fields["year"]).aggregate(last=Max("position"))["last"]
        project.position = (last or 0) + 1
    for name, value in fields.items():
        setattr(project, name, value)
    window = due_window(project.due_text, project.year) if project.due_text else None
    project.due_start, project.due_end = window or (None, None)
    project._history_user = user
    project.save()
    existing = {} if creating else {"districts": project.district_list, "upper_units": project.upper_unit_list,
                                    "partners": project.partner_list}
    for kind, units in zip(KINDS, (districts, upper_units, partners)):
        _set_links(project, kind, _ordered(existing.get(kind.key, []), units))
    return project


@transaction.atomic
def delete_project(project: Project, *, user) -> None:
    """Delete a project with its links, updates and task force (kept in the history); attachment files go too."""
    files = [attachment.file.name for attachment in project.attachments.all()]
    project._history_user = user
    project.delete()
    transaction.on_commit(lambda: [_delete_file(name) for name in files])


def _delete_file(name: str) -> None:
    from django.core.files.storage import default_storage

    default_storage.delete(name)


def change_status(project: Project, *, user, status: str) -> Project:
    """Set the project's status (one history record by ``user``); a no-op when unchanged."""
    if project.status != status:
        project.status = status
        project._history_user = user
        project.save(update_fields=["status", "updated_at"])
    return project


@contextmanager
def files_with_transaction() -> Iterator[list[str]]:
    """A transaction that also owns the files written in it: ``stored`` collects their names, and if anything fails
    the files are removed with the rolled-back rows (nothing half-written)."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            yield stored
    except Exception:
        for name in stored:
            _delete_file(name)
        raise


def _store_files(checked: list, stored: list[str], **links) -> None:
    """Write checked uploads as attachments with ``links``; ``stored`` collects the written names so that a
    failed transaction can remove them again."""
    for upload, content_type in checked:
        attachment = Attachment(original_name=Path(upload.name).name[:255], content_type=content_type,
                                size=upload.size, **links)
        attachment.file.save(upload.name, upload, save=False)
        stored.append(attachment.file.name)
        attachment.save()


def post_update(project: Project, *, user, happened_on: date, text: str, link: str = "", files=()) -> ProgressUpdate:
    """A progress update with its attachments. Every file is checked first; if one is refused
    (``AttachmentRefused``) nothing is stored, and a failure while writing removes the files already written."""
    checked = [(upload, check_attachment(upload)) for upload in files]
    with files_with_transaction() as stored:
        update = ProgressUpdate(project=project, author=user, happened_on=happened_on, text=text, link=link)
        update._history_user = user
        update.save()
        _store_files(checked, stored, project=project, update=update, uploaded_by=user)
        if project.status == ProjectStatus.PLANNED:
            change_status(project, user=user, status=ProjectStatus.IN_PROGRESS)
    return update


@transaction.atomic
def save_task_force(project: Project, *, user, goal: str, measures: str, leader: str,
                    members: list[dict]) -> TaskForce:
    """The project's task force (专班) and its members in order (replacing the previous list)."""
    task_force, _created = TaskForce.objects.get_or_create(project=project)
    task_force.goal, task_force.measures, task_force.leader = goal, measures, leader
    task_force._history_user = user
    task_force.save()
    old = {(member.unit_name, member.person, member.duty): member for member in task_force.members.all()}
    keep = set()
    for order, data in enumerate(members):
        key = (data["unit_name"], data["person"], data.get("duty", ""))
        member = old.get(key)
        if member is None:
            member = TaskForceMember(task_force=task_force, unit_name=key[0], person=key[1], duty=key[2])
        member.order = order
        member._history_user = user
        member.save()
        keep.add(member.pk)
    for member in old.values():
        if member.pk not in keep:
            member._history_user = user
            member.delete()
    return task_force


@dataclass
class HistoryEntry:
    """One line of a project's history: when, who, what (and, for changes, old → new per field)."""

    when: datetime
    user: object
    action: str
    subject: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    reason: str = ""


_ACTION = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _display(model, name: str, value) -> str:
    """A historical field value as people read it (choices by their label, foreign keys by name)."""
    if value in (None, ""):
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        related = model_field.related_model.objects.filter(pk=value).first()
        return str(related) if related else str(value)
    return str(value)


def _entries(records, subject, skip=("updated_at", "title_key", "position")) -> list[HistoryEntry]:
    """History entries from historical records in date order; a change is compared with the same object's
    previous record in the same list (no query per record) and left out when only ``skip`` fields changed."""
    entries, previous = [], {}
    for record in records:
        entry = HistoryEntry(when=record.history_date, user=record.history_user, action=str(_ACTION[record.history_type]),
                             subject=subject(record), reason=record.history_change_reason or "")
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_type == "~" and before is not None:
            model = record.instance_type
            for change in record.diff_against(before).changes:
                if change.field not in skip:
                    entry.changes.append((str(model._meta.get_field(change.field).verbose_name),
                                          _display(model, change.field, change.old),
                                          _display(model, change.field, change.new)))
            if not entry.changes:
                continue
        entries.append(entry)
    return entries


def project_history(project: Project, *, limit: int = 200) -> list[HistoryEntry]:
    """Everything that happened to a project, newest first: its fields (old → new), links, progress updates,
    attachments and task force, with who and when; an import is marked with its reason (导入清单)."""
    pid = project.pk
    entries = _entries(project.history.select_related("history_user").order_by("history_date")[:limit],
                       lambda record: str(Project._meta.verbose_name))
    for model, field_name, label in ((ProjectDistrict, "district", _("District association")),
                                     (ProjectUpperUnit, "upper_unit", _("Upper-level unit")),
                                     (ProjectPartner, "partner", _("Partner"))):
        records = model.history.filter(project_id=pid).exclude(history_type="~").select_related(
            "history_user", field_name).order_by("history_date")[:limit]
        entries += _entries(records, lambda record, name=field_name, label=label: "{}：{}".format(
            label, getattr(record, name)))
    entries += _entries(ProgressUpdate.history.filter(project_id=pid).select_related("history_user")
                        .order_by("history_date")[:limit],
                        lambda record: "{}：{}".format(gettext("Progress update"), record.text[:60]))
    entries += _entries(TaskForce.history.filter(project_id=pid).select_related("history_user").order_by("history_date"),
                        lambda record: str(TaskForce._meta.verbose_name))
    for attachment in project.attachments.select_related("uploaded_by"):
        entries.append(HistoryEntry(when=attachment.uploaded_at, user=attachment.uploaded_by, action=str(_("added")),
                                    subject="{}：{}".format(gettext("Attachment"), attachment.original_name)))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


# ================================================================================================================
# Activity outcomes (issue #5): what an activity achieved, with evidence; counted toward the targets once confirmed.
# ================================================================================================================

def record_outcome(project: Project, *, user, fields: dict, experts=(), industries=(), upper_units=(),
                   files=()) -> ActivityOutcome:
    """Record an activity outcome of ``project`` with its evidence files (each checked like update attachments;
    nothing is stored if one is refused). Entered by the secretariat it counts at once; otherwise it waits for
    the secretariat's confirmation."""
    checked = [(upload, check_attachment(upload)) for upload in files]
    with files_with_transaction() as stored:
        outcome = ActivityOutcome(project=project, entered_by=user, **fields)
        if is_secretariat(user):
            outcome.review, outcome.reviewed_by, outcome.reviewed_at = ReviewStatus.CONFIRMED, user, timezone.now()
        outcome._history_user = user
        outcome.save()
        outcome.experts.set(experts)
        outcome.industries.set(industries)
        outcome.upper_units.set(upper_units)
        _store_files(checked, stored, project=project, outcome=outcome, uploaded_by=user)
    return outcome


# ==== panels other apps add to "my projects" (e.g. the open decisions of the joint meetings) ======================
MY_PROJECTS_PANELS: list = []


def register_my_projects_panel(panel) -> None:
    """``panel(user)`` returns ``{"template": ..., **context}`` to show on the user's "my projects" page, or None."""
    if panel not in MY_PROJECTS_PANELS:
        MY_PROJECTS_PANELS.append(panel)


def my_projects_panels(user) -> list[dict]:
    return [shown for panel in MY_PROJECTS_PANELS if (shown := panel(user))]
