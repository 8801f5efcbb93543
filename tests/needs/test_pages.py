"""The 需求台账 pages through the HTTP client: who sees what, recording on a phone, the status flow with
notifications, the expert's ledger, the Excel export."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from needs.choices import NeedStatus
from needs.models import Need, NeedVisit
from projects.choices import OutcomeKind
from projects.models import Notification
from societies.models import Partner
from tests import factories

from .conftest import make_need

pytestmark = pytest.mark.django_db


def listed(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("needs:list"))
    assert response.status_code == 200
    return {need.title for need in response.context["needs"]}


@pytest.fixture
def three(world):
    """Need A: collected by district 1; B: of an enterprise in district 1, collected by society 2;
    C: district 2, collected by society 1."""
    make_need(district=world["d1"], collected_by_society=world["s2"], title="需求B")
    make_need(district=world["d2"], collected_by_society=world["s1"], title="需求C")
    make_need(district=world["d2"], collected_by_district=world["d2"], title="需求D")
    return world


@pytest.mark.parametrize(("who", "expected"), [
    ("secretariat", {"锂电池隔膜涂覆工艺改进", "需求B", "需求C", "需求D"}),
    ("leader", {"锂电池隔膜涂覆工艺改进", "需求B", "需求C", "需求D"}),
    ("alice", {"锂电池隔膜涂覆工艺改进", "需求B"}),
    ("bob", {"需求C"}),
    ("charlie", {"需求D", "需求C"}),
    ("dave", {"需求B"}),
])
def test_need_list_shows_exactly_the_allowed_rows(client, three, who, expected):
    assert listed(client, three[who]) == expected


def test_need_assigned_to_a_societys_expert_becomes_visible_to_it(client, world):
    assert "锂电池隔膜涂覆工艺改进" not in listed(client, world["bob"])
    client.force_login(world["secretariat"])
    client.post(reverse("needs:assign", args=[world["need"].pk]), {"experts": [world["expert"].pk]})
    assert "锂电池隔膜涂覆工艺改进" in listed(client, world["bob"])


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("leader", 200), ("charlie", 404), ("dave", 404),
                                             ("bob", 404)])
def test_need_detail_outsiders_get_404(client, world, who, status):
    client.force_login(world[who])
    assert client.get(reverse("needs:detail", args=[world["need"].pk])).status_code == status
    edit = client.get(reverse("needs:edit", args=[world["need"].pk])).status_code
    assert edit == (404 if who != "alice" else 200)


def test_need_create_by_district_contact_on_phone_creates_partner(client, world):
    client.force_login(world["alice"])
    response = client.post(reverse("needs:create"), {
        "partner_name": "光芯科技有限公司", "district": world["d1"].pk, "industry": world["materials"].pk,
        "kind": "research", "title": "光芯片封装散热", "description": "封装散热效率低", "contact_name": "王工",
        "contact_phone": "13800000000", "urgency": "urgent", "collected_on": "2026-04-01"},
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148")
    need = Need.objects.get(title="光芯片封装散热")
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    assert need.collected_by_district == world["d1"] and need.collected_by_society is None
    assert Partner.objects.filter(name="光芯科技有限公司").count() == 1


def test_need_create_refuses_missing_fields_with_chinese_message(client, world):
    client.force_login(world["alice"])
    response = client.post(reverse("needs:create"), {"partner_name": "", "title": ""})
    assert response.status_code == 200
    assert "这个字段是必填项。" in response.content.decode()


def test_need_create_is_not_for_the_leadership(client, world):
    client.force_login(world["leader"])
    assert client.get(reverse("needs:create")).status_code == 404


def test_need_status_flow_with_notification_visit_and_feedback(client, world, django_capture_on_commit_callbacks):
    need = world["need"]
    need.project = factories.project(society=world["s1"])
    need.save()
    client.force_login(world["alice"])  # the collecting district assigns
    detail = client.get(reverse("needs:detail", args=[need.pk]))
    assert world["expert"].pk in [item.id for item in detail.context["expert_suggestions"]]
    client.post(reverse("needs:assign", args=[need.pk]), {"experts": [world["expert"].pk]})
    need.refresh_from_db()
    assert need.status == NeedStatus.MATCHED and need.matched_on is not None
    note = Notification.objects.get(recipient=world["bob"], kind="need_assigned")
    assert "张隔膜" in note.title and note.url == need.get_absolute_url()
    client.force_login(world["bob"])  # the society records the visit
    response = client.post(reverse("needs:visit", args=[need.pk]), {
        "held_on": "2026-04-10", "experts": [world["expert"].pk], "notes": "现场指导"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.VISITED and need.visited_on == date(2026, 4, 10)
    visit = NeedVisit.objects.get(need=need)
    assert visit.person_times == 1 and visit.outcome.kind == OutcomeKind.SERVICE
    assert visit.outcome.project == need.project
    client.post(reverse("needs:close", args=[need.pk]), {"result": "solved", "satisfaction": "5", "comment": "满意"})
    need.refresh_from_db()
    assert (need.status, need.satisfaction, need.feedback) == (NeedStatus.SOLVED, 5, "满意")
    page = client.get(reverse("needs:expert", args=[world["expert"].pk]))
    assert [line.served for line in page.context["lines"]] == ["中材锂膜有限公司"]


def test_need_unsolved_requires_a_reason(client, world):
    client.force_login(world["alice"])
    url = reverse("needs:close", args=[world["need"].pk])
    response = client.post(url, {"result": "unsolved"}, follow=True)
    assert "请说明需求未解决的原因。" in response.content.decode()
    world["need"].refresh_from_db()
    assert world["need"].status == NeedStatus.COLLECTED
    client.post(url, {"result": "unsolved", "reason": "企业暂停项目"})
    world["need"].refresh_from_db()
    assert (world["need"].status, world["need"].reason) == (NeedStatus.UNSOLVED, "企业暂停项目")


def test_need_visit_before_assignment_is_refused(client, world):
    client.force_login(world["alice"])
    response = client.post(reverse("needs:visit", args=[world["need"].pk]), {"held_on": "2026-04-10"}, follow=True)
    assert response.status_code == 200
    assert NeedVisit.objects.count() == 0


def test_need_assign_by_a_non_collecting_viewer_is_404(client, world):
    client.force_login(world["leader"])
    response = client.post(reverse("needs:assign", args=[world["need"].pk]), {"experts": [world["expert"].pk]})
    assert response.status_code == 404


def test_need_export_holds_the_listed_rows(client, three):
    client.force_login(three["alice"])
    response = client.get(reverse("needs:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    titles = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert titles == {"锂电池隔膜涂覆工艺改进", "需求B"}


def test_need_list_filters_and_paginates(client, world):
    for number in range(55):
        make_need(district=world["d1"], title="批量需求{}".format(number), collected_on=date(2025, 1, 1))
    client.force_login(world["secretariat"])
    response = client.get(reverse("needs:list"), {"year": 2025})
    assert response.context["page"].paginator.count == 55 and len(response.context["needs"]) == 50
    second = client.get(reverse("needs:list"), {"year": 2025, "page": 2})
    assert len(second.context["needs"]) == 5
    assert client.get(reverse("needs:list"), {"status": "solved"}).context["page"].paginator.count == 0


def test_need_list_and_expert_page_queries_do_not_grow_with_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from needs import services

    client.force_login(world["secretariat"])

    def counts() -> tuple[int, int, int]:
        found = []
        for url in (reverse("needs:list"), reverse("needs:expert", args=[world["expert"].pk]),
                    reverse("needs:detail", args=[world["need"].pk])):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured))
        return tuple(found)

    def grow(size: int, start: int) -> None:
        for number in range(start, start + size):
            need = make_need(district=world["d1"], title="需求{}".format(number), industry=world["materials"])
            services.assign(need, user=world["secretariat"], experts=[world["expert"]])
            services.record_visit(need, user=world["secretariat"], held_on=date(2026, 4, 1),
                                  experts=[world["expert"]])

    grow(3, 0)
    small = counts()
    grow(20, 3)
    assert counts() == small


def test_district_page_shows_the_needs_figures(client, world):
    from django.utils import timezone

    make_need(district=world["d1"], title="今年需求", collected_on=timezone.localdate())  # and the world's need
    client.force_login(world["alice"])
    page = client.get(reverse("societies:detail", args=["districts", world["d1"].pk]))
    html = page.content.decode()
    expected = Need.objects.filter(district=world["d1"], collected_on__year=timezone.localdate().year).count()
    assert page.status_code == 200 and 'id="organisation-needs"' in html
    assert "{} 项需求".format(expected) in html and "已服务企业 0 家" in html
    client.force_login(world["secretariat"])
    expert_page = client.get(reverse("societies:detail", args=["experts", world["expert"].pk])).content.decode()
    assert reverse("needs:expert", args=[world["expert"].pk]) in expert_page


def test_need_detail_search_finds_other_experts_to_assign(client, world):
    client.force_login(world["secretariat"])
    page = client.get(reverse("needs:detail", args=[world["need"].pk]), {"q": "心血管"})
    assert [expert.name for expert in page.context["found_experts"]] == ["李医生"]
    client.post(reverse("needs:assign", args=[world["need"].pk]), {"experts": [world["other_expert"].pk]})
    assert world["need"].matches.get().expert == world["other_expert"]
    client.force_login(world["leader"])
    assert client.get(reverse("needs:detail", args=[world["need"].pk]), {"q": "心血管"}).context["found_experts"] == []
