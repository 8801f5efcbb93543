"""Importing the 需求征集表 and the 专家库 as people type them (the needs-format contract): one header row found
under any merged title rows, columns recognised by any of their names (white space removed, full-width folded),
extra columns ignored with a warning, blank rows skipped. The file is checked and read by ``sanlian.workbook``
(the same refusals as the annex importer). All or nothing: any row error refuses the whole file; re-importing the
same file changes nothing (needs keyed by enterprise + title, experts by name + work unit); nothing is deleted.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanlian.access import SYSTEM
from sanlian.workbook import WorkbookRefused, cell_text, check_package, load_sheets, one_line, read_bytes, refuse
from societies.access import district_of, society_of
from societies.choices import ExpertLevel
from societies.models import District, Expert, ExpertCategory, Industry, Partner, Society, expert_key, name_key

from .choices import NeedKind
from .models import Need
from .services import partner_named

MAX_BYTES = 10 * 1024 * 1024
HEADER_SCAN_ROWS = 10
_SPLIT = re.compile(r"[、，,；;\r\n]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class Col:
    key: str
    names: tuple[str, ...]
    required: bool = False


NEED_COLUMNS = (
    Col("enterprise", ("企业名称", "单位名称", "需求企业"), True),
    Col("district", ("所在区（市）", "区（市）", "所属区市", "所在地"), True),
    Col("industry", ("所属产业", "产业领域", "行业", "所属行业")),
    Col("title", ("需求名称", "技术需求名称", "项目名称"), True),
    Col("description", ("需求内容", "需求描述", "具体需求", "技术需求"), True),
    Col("kind", ("需求类型",)),
    Col("contact", ("联系人", "企业联系人")),
    Col("phone", ("联系电话", "电话", "手机")),
    Col("collected_by", ("征集单位", "推荐单位", "填报单位")),
    Col("collected_on", ("征集日期", "填报日期", "日期")),
)
EXPERT_COLUMNS = (
    Col("name", ("姓名", "专家姓名"), True),
    Col("affiliation", ("工作单位", "单位", "所在单位"), True),
    Col("title", ("职称", "职称/职务", "职务")),
    Col("level", ("级别", "专家级别")),
    Col("category", ("类别", "专家类别")),
    Col("society", ("所属学会", "推荐学会")),
    Col("industries", ("服务产业", "产业领域")),
    Col("fields", ("专业领域", "研究方向", "擅长领域"), True),
    Col("phone", ("联系电话", "电话", "手机")),
    Col("email", ("邮箱", "电子邮箱")),
)
KINDS = {"技术攻关": NeedKind.RESEARCH, "成果转化": NeedKind.TRANSFER, "人才引进": NeedKind.TALENT,
         "设备检测": NeedKind.TESTING, "其他": NeedKind.OTHER}
LEVELS = {"国家级": ExpertLevel.NATIONAL, "国家": ExpertLevel.NATIONAL, "省级": ExpertLevel.PROVINCIAL,
          "省": ExpertLevel.PROVINCIAL, "市级": ExpertLevel.MUNICIPAL, "市": ExpertLevel.MUNICIPAL}


def fold(text) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "warnings": self.warnings, "errors": self.errors}


@dataclass
class Table:
    sheet: str
    rows: list[tuple[int, dict]]  # (Excel row number, key → raw value)
    warnings: list[str]


def _where(sheet: str, row: int, message: str) -> str:
    return _("Sheet “%(sheet)s”, row %(row)s") % {"sheet": sheet, "row": row} + ": " + message


def read_table(source, columns: tuple[Col, ...]) -> Table:
    """The rows of the first sheet with a header naming every required column; refuse naming what is missing."""
    data = read_bytes(source, MAX_BYTES)
    _names, sheets = load_sheets(data, check_package(data), None)
    lookup = {fold(name): col.key for col in columns for name in col.names}
    best = (-1, None, [])
    for title, rows in sheets:
        for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            found = {lookup[fold(v)]: i for i, v in reversed(list(enumerate(row))) if fold(v) in lookup}
            missing = [col for col in columns if col.required and col.key not in found]
            if not missing:
                warnings = [_("Sheet “%(sheet)s”: column “%(column)s” is not recognised and is ignored.")
                            % {"sheet": title, "column": one_line(cell_text(v))}
                            for i, v in enumerate(row) if fold(v) and fold(v) not in lookup]
                body = [(index + 2 + n, {key: (line[i] if i < len(line) else None) for key, i in found.items()})
                        for n, line in enumerate(rows[index + 1:])]
                body = [(number, values) for number, values in body
                        if any(cell_text(v).strip() for v in values.values())]
                return Table(title, body, warnings)
            if len(found) > best[0]:
                best = (len(found), title, missing)
    if best[1] is None:
        refuse(None, None, None, _("The workbook has no sheet with a table."))
    refuse(best[1], None, None, _("Required columns are missing: %(columns)s.") % {
        "columns": "、".join(col.names[0] for col in best[2])})


def text(value) -> str:
    return one_line(cell_text(value))


def parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:  # an Excel serial date typed as a number
        return date(1899, 12, 30) + timedelta(days=int(value))
    match = _DATE.match(fold(value))
    if match:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            return None
    return None


def _district(name: str, districts: dict[str, District]) -> District | None:
    key = fold(name)
    return districts.get(key) or districts.get(key + "科协") or districts.get(key.removesuffix("科协"))


def _apply(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        field_ = obj._meta.get_field(name)
        if field_.is_relation:  # compare ids: no query, and no error on an unsaved row
            if getattr(obj, field_.attname) != (value.pk if value is not None else None):
                setattr(obj, name, value)
                changed = True
        elif getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def import_needs(source, *, user, dry_run: bool = False) -> Outcome:
    """Create or update needs from a 需求征集表; refused (nothing written) when any row has an error."""
    table = read_table(source, NEED_COLUMNS)
    result = Outcome(warnings=table.warnings)
    districts = {}
    for district in District.objects.for_user(SYSTEM):
        districts[district.name_key] = districts[district.name_key.removesuffix("科协")] = district
    societies = {society.name_key: society for society in Society.objects.for_user(SYSTEM)}
    industries = {fold(industry.name): industry for industry in Industry.objects.for_user(SYSTEM)}
    own_district, own_society = district_of(user), society_of(user)
    seen = set()
    with transaction.atomic():
        for number, row in table.rows:
            where = lambda message, number=number: _where(table.sheet, number, message)  # noqa: E731
            values = {key: text(row.get(key)) for key in row}
            missing = [col.names[0] for col in NEED_COLUMNS if col.required and not values.get(col.key)]
            if missing:
                result.errors.append(where(_("%(columns)s is empty.") % {"columns": "、".join(missing)}))
                continue
            district = _district(values["district"], districts)
            if district is None:
                result.errors.append(where(_("Unknown district “%(name)s”.") % {"name": values["district"]}))
                continue
            industry = industries.get(fold(values.get("industry")))
            if values.get("industry") and industry is None:
                result.warnings.append(where(_("“%(name)s” is not one of the “6+3” industries; left empty.")
                                             % {"name": values["industry"]}))
            kind = KINDS.get(fold(values.get("kind")), NeedKind.OTHER if values.get("kind") else NeedKind.RESEARCH)
            if values.get("kind") and fold(values["kind"]) not in KINDS:
                result.warnings.append(where(_("Unknown kind of need “%(name)s”; taken as 其他.")
                                             % {"name": values["kind"]}))
            by_district, by_society = own_district, own_society
            if values.get("collected_by"):
                by_district = _district(values["collected_by"], districts)
                by_society = None if by_district else societies.get(name_key(values["collected_by"]))
                if by_district is None and by_society is None:
                    result.warnings.append(where(_("Unknown collecting unit “%(name)s”; your unit is used.")
                                                 % {"name": values["collected_by"]}))
                    by_district, by_society = own_district, own_society
            collected_on = parse_date(row.get("collected_on"))
            if row.get("collected_on") not in (None, "") and collected_on is None:
                result.warnings.append(where(_("“%(value)s” is not a date; left as it was.")
                                             % {"value": values["collected_on"]}))
            key = (name_key(values["enterprise"]), name_key(values["title"]))
            if key in seen:
                result.warnings.append(where(_("The same need appears twice; the later row is skipped.")))
                continue
            seen.add(key)
            fields = {"district": district, "industry": industry, "kind": kind, "description": values["description"],
                      "contact_name": values.get("contact", ""), "contact_phone": values.get("phone", ""),
                      "collected_by_district": by_district, "collected_by_society": by_society}
            if collected_on is not None:
                fields["collected_on"] = collected_on
            partner = Partner.objects.filter(name_key=key[0]).first()
            need = Need.objects.filter(partner=partner, title_key=key[1]).first() if partner else None
            if need is None:
                need = Need(partner=partner or partner_named(values["enterprise"]), title=values["title"],
                            created_by=user if getattr(user, "pk", None) else None,
                            collected_on=timezone.localdate())
                _apply(need, fields)
                need.save()
                result.created += 1
            elif _apply(need, fields):
                need.save()
                result.updated += 1
            else:
                result.unchanged += 1
        if dry_run or result.errors:
            transaction.set_rollback(True)
    return result


def import_experts(source, *, user, dry_run: bool = False) -> Outcome:
    """Create or update experts from a 专家库; refused (nothing written) when any row has an error."""
    table = read_table(source, EXPERT_COLUMNS)
    result = Outcome(warnings=table.warnings)
    societies = {society.name_key: society for society in Society.objects.for_user(SYSTEM)}
    industries = {fold(industry.name): industry for industry in Industry.objects.for_user(SYSTEM)}
    seen = set()
    with transaction.atomic():
        for number, row in table.rows:
            where = lambda message, number=number: _where(table.sheet, number, message)  # noqa: E731
            values = {key: text(row.get(key)) for key in row}
            missing = [col.names[0] for col in EXPERT_COLUMNS if col.required and not values.get(col.key)]
            if missing:
                result.errors.append(where(_("%(columns)s is empty.") % {"columns": "、".join(missing)}))
                continue
            key = expert_key(values["name"], values["affiliation"])
            if key in seen:
                result.warnings.append(where(_("The same expert appears twice; the later row is skipped.")))
                continue
            seen.add(key)
            level = LEVELS.get(fold(values.get("level")), "")
            if values.get("level") and not level:
                result.warnings.append(where(_("Unknown level “%(name)s”; left empty.") % {"name": values["level"]}))
            society = societies.get(name_key(values.get("society", ""))) if values.get("society") else None
            if values.get("society") and society is None:
                result.warnings.append(where(_("Unknown society “%(name)s”; left empty.")
                                             % {"name": values["society"]}))
            category = None
            if values.get("category"):
                category = ExpertCategory.objects.get_or_create(name=values["category"][:100])[0]
            chosen = []
            for name in _SPLIT.split(cell_text(row.get("industries"))):
                if fold(name) and fold(name) in industries:
                    chosen.append(industries[fold(name)])
                elif fold(name):
                    result.warnings.append(where(_("“%(name)s” is not one of the “6+3” industries; left out.")
                                                 % {"name": name.strip()}))
            email = values.get("email", "")
            try:
                if email:
                    validate_email(email)
            except ValidationError:
                result.warnings.append(where(_("“%(value)s” is not an e-mail address; left empty.")
                                             % {"value": email}))
                email = ""
            fields = {"title": values.get("title", ""), "level": level, "category": category, "society": society,
                      "field": cell_text(row.get("fields")).strip(), "phone": values.get("phone", ""),
                      "email": email}
            expert = Expert.objects.filter(key=key).first()
            if expert is None:
                expert = Expert(name=values["name"], organisation=values["affiliation"])
                _apply(expert, fields)
                expert.save()
                expert.industries.set(chosen)
                result.created += 1
                continue
            changed = _apply(expert, fields)
            if changed:
                expert.save()
            if {i.pk for i in chosen} != set(expert.industries.values_list("pk", flat=True)):
                expert.industries.set(chosen)
                changed = True
            result.updated += changed
            result.unchanged += not changed
        if dry_run or result.errors:
            transaction.set_rollback(True)
    return result


def run(kind: str, source, *, user, dry_run: bool = False) -> Outcome:
    """Import ``kind`` ("needs" or "experts"); a refused file gives an outcome with its errors."""
    importer = import_needs if kind == "needs" else import_experts
    try:
        return importer(source, user=user, dry_run=dry_run)
    except WorkbookRefused as refused:
        return Outcome(errors=[str(issue) for issue in refused.issues])
