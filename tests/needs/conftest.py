"""A small world for the needs tests: two districts, two societies with contacts, experts, industries."""

from datetime import date

import pytest

from needs.models import Need
from societies.choices import Role
from societies.models import Expert, Industry
from tests import factories


def make_need(*, partner=None, district, title="锂电池隔膜涂覆工艺改进", description="需要提高隔膜涂覆均匀性",
              collected_on=date(2026, 3, 5), **fields) -> Need:
    return Need.objects.create(partner=partner or factories.partner(), district=district, title=title,
                               description=description, collected_on=collected_on, **fields)


def make_expert(name, *, field="", society=None, industries=(), organisation="枣庄学院") -> Expert:
    expert = Expert.objects.create(name=name, organisation=organisation, field=field, society=society)
    expert.industries.set(industries)
    return expert


@pytest.fixture
def world():
    d1, d2 = factories.district("市中区科协"), factories.district("薛城区科协")
    s1, s2 = factories.society("市机械工程学会"), factories.society("市医学会")
    materials = Industry.objects.create(name="新材料", order=1)
    chem = Industry.objects.create(name="高端化工", order=2)
    w = {
        "d1": d1, "d2": d2, "s1": s1, "s2": s2, "materials": materials, "chem": chem,
        "secretariat": factories.user(Role.SECRETARIAT, username="sec", email="sec@example.org"),
        "leader": factories.user(Role.LEADER, username="lead"),
        "alice": factories.user(Role.DISTRICT, username="alice", district=d1),  # district 1 contact
        "bob": factories.user(Role.SOCIETY, username="bob", society=s1, email="bob@example.org"),  # society 1
        "charlie": factories.user(Role.DISTRICT, username="charlie", district=d2),  # outsider district
        "dave": factories.user(Role.SOCIETY, username="dave", society=s2),  # outsider society
    }
    w["expert"] = make_expert("张隔膜", field="锂电池隔膜材料、涂覆工艺", society=s1, industries=[materials])
    w["other_expert"] = make_expert("李医生", field="心血管疾病临床诊疗", society=s2)
    w["need"] = make_need(district=d1, collected_by_district=d1, industry=materials,
                          partner=factories.partner("中材锂膜有限公司"))
    return w
