"""Test data builders: plain functions with sensible defaults, each creating real rows."""

import itertools
from datetime import date

from django.contrib.auth.models import User

from projects.models import Project, ProjectDistrict, ProjectPartner, ProjectUpperUnit
from societies.choices import Role
from societies.models import District, Partner, Society, UpperUnit
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
         district: District | None = None) -> User:
    account, _created = ensure_user(
        username=username or "{}{}".format(role.value, next(_counter)), role=role, password=PASSWORD,
        society=society, district=district,
    )
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
