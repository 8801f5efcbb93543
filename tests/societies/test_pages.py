"""The organisation pages: who sees what (alice/bob/charlie per role), create/edit/delete, bad input, query counts."""

import pytest
from django.urls import reverse

from societies.choices import PartnerKind, Role, UpperUnitLevel
from societies.kinds import KINDS
from societies.models import Expert, Industry, Partner, Society, UpperUnit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    own = factories.society("市老科协")
    other = factories.society("市医学会")
    tengzhou = factories.district("滕州市科协")
    shizhong = factories.district("市中区科协")
    mine = factories.project(society=own, title="老专家滕州行", districts=[tengzhou])
    theirs = factories.project(society=other, title="护士节科普", districts=[shizhong])
    return {
        "own": own, "other": other, "tengzhou": tengzhou, "shizhong": shizhong, "mine": mine, "theirs": theirs,
        "secretariat": factories.user(Role.SECRETARIAT, username="sec"),
        "leader": factories.user(Role.LEADER, username="lead"),
        "alice": factories.user(Role.SOCIETY, username="alice", society=own),
        "bob": factories.user(Role.SOCIETY, username="bob", society=own),
        "charlie": factories.user(Role.SOCIETY, username="charlie", society=other),
        "dora": factories.user(Role.DISTRICT, username="dora", district=tengzhou),
        "nobody": factories.user(Role.SOCIETY, username="nobody"),  # a society contact without a society
    }


def url(name, kind, pk=None):
    return reverse("societies:{}".format(name), args=[kind] if pk is None else [kind, pk])


@pytest.mark.parametrize("kind", list(KINDS))
def test_lists_readable_by_secretariat_and_leader_only(client, world, kind):
    for who, expected in (("secretariat", 200), ("leader", 200), ("alice", 404), ("dora", 404), ("nobody", 404)):
        client.force_login(world[who])
        assert client.get(url("list", kind)).status_code == expected, who


def test_lists_anonymous_redirected_to_login(client):
    response = client.get(url("list", "societies"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_society_page_own_contacts_see_own_projects_only(client, world):
    for who in ("alice", "bob"):
        client.force_login(world[who])
        response = client.get(url("detail", "societies", world["own"].pk))
        assert response.status_code == 200
        assert "老专家滕州行" in response.content.decode()
        assert "护士节科普" not in response.content.decode()
    client.force_login(world["charlie"])
    assert client.get(url("detail", "societies", world["own"].pk)).status_code == 404
    client.force_login(world["nobody"])
    assert client.get(url("detail", "societies", world["own"].pk)).status_code == 404


def test_district_page_own_contact_only(client, world):
    client.force_login(world["dora"])
    response = client.get(url("detail", "districts", world["tengzhou"].pk))
    assert response.status_code == 200
    assert "老专家滕州行" in response.content.decode()
    assert client.get(url("detail", "districts", world["shizhong"].pk)).status_code == 404
    assert client.get(url("detail", "societies", world["own"].pk)).status_code == 404
    client.force_login(world["alice"])
    assert client.get(url("detail", "districts", world["tengzhou"].pk)).status_code == 404


def test_district_page_shows_only_projects_the_viewer_may_see(client, world):
    """A society contact does not see a district page; the leader sees every project linked to the district."""
    client.force_login(world["leader"])
    body = client.get(url("detail", "districts", world["shizhong"].pk)).content.decode()
    assert "护士节科普" in body
    assert "老专家滕州行" not in body


def test_upper_unit_and_partner_pages_readers_only(client, world):
    unit = factories.upper_unit("山东省医学会")
    for who, expected in (("secretariat", 200), ("leader", 200), ("alice", 404), ("dora", 404)):
        client.force_login(world[who])
        assert client.get(url("detail", "upper-units", unit.pk)).status_code == expected


@pytest.mark.parametrize("who", ["leader", "alice", "dora"])
def test_writes_not_found_for_everyone_but_secretariat(client, world, who):
    client.force_login(world[who])
    assert client.get(url("create", "societies")).status_code == 404
    assert client.post(url("create", "societies"), {"name": "市新学会"}).status_code == 404
    assert client.post(url("edit", "societies", world["own"].pk), {"name": "改名"}).status_code == 404
    assert client.post(url("delete", "societies", world["other"].pk)).status_code == 404
    assert Society.objects.filter(name="市新学会").count() == 0
    assert Society.objects.filter(pk=world["other"].pk).exists()


def test_unknown_kind_and_id_not_found(client, world):
    client.force_login(world["secretariat"])
    assert client.get("/organisations/planets/").status_code == 404
    assert client.get(url("detail", "societies", 999999)).status_code == 404
    assert client.get(url("edit", "partners", 999999)).status_code == 404
    assert client.get("/organisations/societies/abc/").status_code == 404


def test_secretariat_creates_edits_and_deletes_an_upper_unit(client, world):
    client.force_login(world["secretariat"])
    response = client.post(url("create", "upper-units"), {"name": "中国  化学会", "level": UpperUnitLevel.NATIONAL})
    unit = UpperUnit.objects.get(name="中国 化学会")
    assert response.status_code == 302
    assert response["Location"] == url("detail", "upper-units", unit.pk)
    response = client.post(url("edit", "upper-units", unit.pk), {"name": "中国化学会", "level": "provincial"})
    unit.refresh_from_db()
    assert (unit.name, unit.level) == ("中国化学会", "provincial")
    assert unit.history.first().history_user == world["secretariat"]
    response = client.post(url("delete", "upper-units", unit.pk))
    assert response.status_code == 302
    assert UpperUnit.objects.filter(pk=unit.pk).exists() is False


def test_create_duplicate_name_refused_in_chinese(client, world):
    client.force_login(world["secretariat"])
    response = client.post(url("create", "societies"), {"name": "市 老科协", "is_active": "on"})
    assert response.status_code == 400
    assert "已存在名为“市 老科协”的市级学会" in response.content.decode()
    assert Society.objects.count() == 2


def test_industry_duplicate_refused(client, world):
    Industry.objects.create(name="高端装备")
    client.force_login(world["secretariat"])
    response = client.post(url("create", "industries"), {"name": "高端装备", "order": 1, "is_active": "on"})
    assert response.status_code == 400
    assert Industry.objects.filter(name="高端装备").count() == 1


def test_create_bad_values_refused_with_form_errors(client, world):
    client.force_login(world["secretariat"])
    response = client.post(url("create", "partners"), {"name": "", "kind": "planet"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "这个字段是必填项" in body or "请填写名称" in body
    assert "选择一个有效的选项" in body
    response = client.post(url("create", "societies"), {"name": "市新学会", "founded_on": "2024-13-45",
                                                        "member_count": "-3"})
    assert response.status_code == 400
    assert Society.objects.filter(name="市新学会").exists() is False


def test_expert_with_industries(client, world):
    equipment = Industry.objects.create(name="高端装备", order=1)
    chemicals = Industry.objects.create(name="高端化工", order=2)
    client.force_login(world["secretariat"])
    response = client.post(url("create", "experts"), {"name": "张专家", "society": world["own"].pk,
                                                      "industries": [equipment.pk, chemicals.pk]})
    assert response.status_code == 302
    expert = Expert.objects.get(name="张专家")
    assert sorted(expert.industries.values_list("name", flat=True)) == ["高端化工", "高端装备"]
    body = client.get(url("list", "experts"), {"industries": equipment.pk}).content.decode()
    assert "张专家" in body
    body = client.get(url("list", "experts"), {"industries": 999999})
    assert body.status_code == 400
    # an industry that experts serve is not deleted
    response = client.post(url("delete", "industries", equipment.pk))
    assert response.status_code == 409
    assert "无法删除" in response.content.decode()
    assert Industry.objects.filter(pk=equipment.pk).exists()


def test_delete_society_with_projects_refused_in_chinese(client, world):
    client.force_login(world["secretariat"])
    page = client.get(url("delete", "societies", world["other"].pk))
    assert page.status_code == 200
    assert "重点项目" in page.content.decode()
    response = client.post(url("delete", "societies", world["other"].pk))
    assert response.status_code == 409
    body = response.content.decode()
    assert "“市医学会”无法删除" in body
    assert "1 个重点项目" in body
    assert Society.objects.filter(pk=world["other"].pk).exists()


def test_delete_district_linked_to_projects_refused(client, world):
    client.force_login(world["secretariat"])
    response = client.post(url("delete", "districts", world["shizhong"].pk))
    assert response.status_code == 409
    assert world["shizhong"].__class__.objects.filter(pk=world["shizhong"].pk).exists()


def test_delete_partner_unreferenced(client, world):
    partner = factories.partner("某科技公司", kind=PartnerKind.ENTERPRISE)
    client.force_login(world["secretariat"])
    assert client.post(url("delete", "partners", partner.pk)).status_code == 302
    assert Partner.objects.filter(pk=partner.pk).exists() is False


def test_list_search_and_filter(client, world):
    factories.partner("甲企业", kind=PartnerKind.ENTERPRISE)
    factories.partner("乙医院", kind=PartnerKind.INSTITUTION)
    client.force_login(world["leader"])
    body = client.get(url("list", "partners"), {"kind": "institution"}).content.decode()
    assert "乙医院" in body and "甲企业" not in body
    body = client.get(url("list", "partners"), {"q": "甲"}).content.decode()
    assert "甲企业" in body and "乙医院" not in body
    assert client.get(url("list", "partners"), {"kind": "planet"}).status_code == 400


def _fill(kind: str, count: int) -> None:
    industries = [Industry.objects.create(name="产业{}-{}-{}".format(kind, count, n)) for n in range(2)]
    for n in range(count):
        society = factories.society()
        if kind == "contacts":
            factories.contact(society=society, district=factories.district())
        elif kind == "experts":
            expert = Expert.objects.create(name="专家{}".format(n), society=society)
            expert.industries.set(industries)
        elif kind == "upper-units":
            factories.upper_unit()
        elif kind == "partners":
            factories.partner()


@pytest.mark.parametrize("kind", ["societies", "contacts", "experts", "upper-units", "partners", "districts"])
def test_list_query_count_same_at_two_sizes(client, world, kind, django_assert_num_queries):
    client.force_login(world["leader"])
    client.get(url("list", kind))  # warm the session and the user's role
    counts = []
    for size in (2, 20):
        _fill(kind, size)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("list", kind)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[1]):
        client.get(url("list", kind))


def test_organisation_nav_links_by_role(client, world):
    client.force_login(world["alice"])
    body = client.get(reverse("projects:list")).content.decode()
    assert url("detail", "societies", world["own"].pk) in body
    assert "href=\"{}\"".format(reverse("societies:index")) not in body
    client.force_login(world["secretariat"])
    body = client.get(reverse("projects:list")).content.decode()
    assert reverse("societies:index") in body and reverse("accounts:list") in body


def test_contact_with_both_society_and_district_refused(client, world):
    client.force_login(world["secretariat"])
    response = client.post(url("create", "contacts"), {"name": "李联系", "society": world["own"].pk,
                                                       "district": world["tengzhou"].pk})
    assert response.status_code == 400
    assert "联系人只能属于一个学会或一个区（市）科协" in response.content.decode()


def test_society_page_query_count_same_at_two_sizes(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["alice"])
    target = url("detail", "societies", world["own"].pk)
    counts = []
    for size in (2, 20):
        for _n in range(size):
            factories.project(society=world["own"], districts=[world["tengzhou"]],
                              upper_units=[factories.upper_unit()], partners=[factories.partner()])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(target)
        assert response.status_code == 200
        counts.append(len(captured))
    body = response.content.decode()
    # 1 + 2 + 20 projects: the newest 20 are shown, the rest behind a link to the list filtered by the society
    assert body.count('class="card-title"') == 20
    assert "共 23 个项目" in body or "23 个项目" in body
    assert "/projects/?society={}".format(world["own"].pk) in body
    assert counts[0] == counts[1]


def test_society_page_lists_its_contacts(client, world):
    factories.contact("王联系", phone="0632-1234567", society=world["own"])
    factories.contact("李别人", society=world["other"])
    client.force_login(world["alice"])
    body = client.get(url("detail", "societies", world["own"].pk)).content.decode()
    assert "王联系" in body and "0632-1234567" in body
    assert "李别人" not in body


def test_society_webhook_shown_to_secretariat_only(client, world):
    world["own"].webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY"
    world["own"].save()
    for who, shown in (("secretariat", True), ("leader", False), ("alice", False)):
        client.force_login(world[who])
        body = client.get(url("detail", "societies", world["own"].pk)).content.decode()
        assert ("SECRET-KEY" in body) is shown, who


def test_upper_unit_and_partner_pages_list_their_projects(client, world):
    unit, partner = factories.upper_unit("山东省医学会"), factories.partner("村居")
    factories.project(society=world["other"], title="联合义诊", upper_units=[unit], partners=[partner])
    client.force_login(world["leader"])
    assert "联合义诊" in client.get(url("detail", "upper-units", unit.pk)).content.decode()
    assert "联合义诊" in client.get(url("detail", "partners", partner.pk)).content.decode()
    client.force_login(world["secretariat"])
    response = client.post(url("delete", "upper-units", unit.pk))
    assert response.status_code == 409
    assert "1 个重点项目" in response.content.decode()
