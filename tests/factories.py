"""Test data builders: plain functions with sensible defaults, each creating real rows."""

import itertools
from datetime import date

from django.contrib.auth.models import User

from projects.models import ProgressUpdate, Project, ProjectDistrict, ProjectPartner, ProjectUpperUnit
from societies.choices import Role
from societies.models import Contact, District, Partner, Society, UpperUnit
from societies.services import ensure_user

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


def society(name: str | None = None, **fields) -> Society:
    return Society.objects.create(name=name or "市测试学会{}".format(next(_counter)), **fields)


def district(name: str | None = None, **fields) -> District:
    return District.objects.create(name=name or "测试区{}科协".format(next(_counter)), **fields)


def upper_unit(name: str | None = None, **fields) -> UpperUnit:
    return UpperUnit.objects.create(name=name or "山东省测试学会{}".format(next(_counter)), **fields)


def partner(name: str | None = None, **fields) -> Partner:
    return Partner.objects.create(name=name or "测试企业{}有限公司".format(next(_counter)), **fields)


def user(role: Role, *, username: str | None = None, society: Society | None = None,
         district: District | None = None, email: str = "") -> User:
    account, _created = ensure_user(
        username=username or "{}{}".format(role.value, next(_counter)), role=role, password=PASSWORD,
        society=society, district=district,
    )
    if email:
        account.email = email
        account.save(update_fields=["email"])
    return account


def project(
    *, society: Society | None = None, title: str | None = None, year: int = 2024, districts=(), upper_units=(),
    partners=(), due_text: str = "5月", due_start: date | None = date(2024, 5, 1),
    due_end: date | None = date(2024, 5, 31), **fields,
) -> Project:
    number = next(_counter)
    created = Project.objects.create(
        society=society or globals()["society"](), title=title or "测试项目{}".format(number), year=year,
        position=number, due_text=due_text, due_start=due_start, due_end=due_end, **fields,
    )
    for order, unit in enumerate(districts):
        ProjectDistrict.objects.create(project=created, district=unit, order=order)
    for order, unit in enumerate(upper_units):
        ProjectUpperUnit.objects.create(project=created, upper_unit=unit, order=order)
    for order, unit in enumerate(partners):
        ProjectPartner.objects.create(project=created, partner=unit, order=order)
    return created


# --- annex workbooks (the list as people type it) ----------------------------------------------------------------
ANNEX_TITLE = "枣庄市科协“三联三促”行动重点改革品牌项目、重要特色活动清单（2024年）"
ANNEX_HEADER = ("序号", "市级\n学会", "重点改革品牌项目(重要特色活动)", "协同联动单位", None, None, "完成\n时间", "联系人",
                "备\n注")
ANNEX_SUBHEADER = (None, None, None, "区、市科协", "上级学会\n(科研单位)", "科技企业\n(科技项目)", None, None, None)
ANNEX_ROWS = (
    (1, "市老科协", "1.中国老科协老专家滕州行活动", "滕州市科协", "中国老科协、\n山东省老科协", "中材锂膜、山森数控", "5月", "李健", None),
    (None, None, "2.乡村振兴知识技能提升培训", "峄城区科协", "枣庄学院", "石榴研究院", "5月中旬", None, None),
    (2, "市医学会", "“5.12”护士节科普宣传活动", "市中区科协", "山东省医学会", "村居；社区", "待定", "盛敏", "备注一"),
)


def annex_workbook(rows=ANNEX_ROWS, *, title: str | None = ANNEX_TITLE, header=ANNEX_HEADER,
                   subheader=ANNEX_SUBHEADER, sheets=("附件",), drop: tuple[int, ...] = ()) -> bytes:
    """An annex workbook as bytes: optional title, the two-row header, the rows; ``drop`` removes columns by index;
    each name in ``sheets`` gets the same table (two names make two qualifying sheets)."""
    import io

    import openpyxl

    keep = [i for i in range(len(ANNEX_HEADER)) if i not in drop]
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in sheets:
        sheet = book.create_sheet(name)
        if title is not None:
            sheet.append(["附件"])
            sheet.append([title])
        for line in ([header, subheader] if header else []):
            if line:
                sheet.append([line[i] for i in keep])
        for row in rows:
            sheet.append([row[i] if i < len(row) else None for i in keep])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def contact(name: str | None = None, **fields) -> Contact:
    return Contact.objects.create(name=name or "联系人{}".format(next(_counter)), **fields)


def progress_update(project: Project, *, happened_on: date, text: str = "进展") -> ProgressUpdate:
    return ProgressUpdate.objects.create(project=project, happened_on=happened_on, text=text)
