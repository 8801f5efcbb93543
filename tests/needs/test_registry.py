"""The suggestions' copy of the expert registry (``needs.registry``): kept between suggestions, never stale — a
change made here or in another process (which replaces the version in the shared cache) shows at the next
suggestion; a rolled-back change leaves nothing behind."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from needs import registry, services
from needs.matching import suggest_experts
from sanlian.access import SYSTEM
from societies.choices import Role
from societies.models import Expert, Industry
from tests import factories

from .conftest import make_expert, make_need


def _top(need):
    return [(item.id, item.reasons) for item in suggest_experts(need, user=SYSTEM, limit=3)]


@pytest.fixture
def small():
    materials = Industry.objects.create(name="新材料", order=1)
    district = factories.district("市中区科协")
    return {
        "need": make_need(district=district, industry=materials, title="隔膜涂层不均匀",
                          description="湿法隔膜涂覆后出现条纹，需要改进涂覆工艺"),
        "membrane": make_expert("张隔膜", field="锂电池隔膜材料、涂覆工艺", industries=[materials]),
        "other": make_expert("李机床", field="数控机床精度检测"),
        "district": district, "materials": materials,
    }


@pytest.mark.django_db
def test_changing_an_expert_changes_the_suggestion(small):
    need, other = small["need"], small["other"]
    assert _top(need)[0][0] == small["membrane"].pk
    assert other.pk not in [pk for pk, _reasons in _top(need)]
    other.field = "隔膜涂覆工艺、锂电池隔膜"
    other.save()
    other.industries.add(small["materials"])
    top = dict(_top(need))
    assert other.pk in top and "同一产业：新材料" in top[other.pk]


@pytest.mark.django_db(transaction=True)
def test_the_copy_is_kept_and_replaced_when_another_process_changes_the_registry(small):
    need, other = small["need"], small["other"]
    with CaptureQueriesContext(connection) as cold:
        before = _top(need)
    with CaptureQueriesContext(connection) as warm:
        assert _top(need) == before
    assert len(warm) == len(cold) - 4  # the registry's four queries, read once
    # another process changes an expert: this process gets no signal, only the new version in the shared cache
    Expert.objects.filter(pk=other.pk).update(field="湿法隔膜涂覆工艺")
    assert _top(need) == before  # (the copy as long as the version stands)
    registry.bump()  # what the other process's commit does
    assert other.pk in [pk for pk, _reasons in _top(need)]


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_shows_and_a_rolled_back_one_does_not(small):
    need, other = small["need"], small["other"]
    before = _top(need)
    with pytest.raises(RuntimeError), transaction.atomic():
        other.field = "湿法隔膜涂覆工艺"
        other.save()
        assert other.pk in [pk for pk, _reasons in _top(need)]  # its own transaction sees it
        raise RuntimeError("rolled back")
    assert _top(need) == before
    user = factories.user(Role.SECRETARIAT, username="sec")
    busy = make_need(district=small["district"], title="隔膜孔隙率", description="隔膜孔隙率控制",
                     industry=small["materials"])
    services.assign(busy, user=user, experts=[small["membrane"]])  # committed: a load penalty elsewhere
    assert _top(need)[0][1][-1] == "在办对接 1 项"
    services.record_visit(busy, user=user, held_on=date(2026, 5, 1), experts=[small["membrane"]])
    assert "曾服务本产业需求 1 项" in _top(need)[0][1]
