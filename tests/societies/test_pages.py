"""Organisation pages and accounts kept by the secretariat; read-only for the leadership; 404 for everyone else."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from societies.access import district_of, role_of, society_of
from societies.choices import PartnerKind, Role
from societies.models import Partner, Society
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    s1 = factories.society("市老科协")
    return {
        "secretariat": factories.user(Role.SECRETARIAT), "leader": factories.user(Role.LEADER),
        "society": factories.user(Role.SOCIETY, society=s1),
        "district": factories.user(Role.DISTRICT, district=factories.district("滕州市科协")),
        "s1": s1,
    }


@pytest.mark.parametrize(("who", "read", "private"), [
    ("secretariat", 200, 200), ("leader", 200, 404), ("society", 404, 404), ("district", 404, 404)])
def test_organisation_lists_by_role(client, people, who, read, private):
    client.force_login(people[who])
    assert client.get(reverse("societies:list", args=["societies"])).status_code == read
    assert client.get(reverse("societies:list", args=["contacts"])).status_code == private
    assert client.get(reverse("societies:index")).status_code == read


@pytest.mark.parametrize("who", ["leader", "society", "district"])
def test_organisation_changes_are_the_secretariats_only(client, people, who):
    client.force_login(people[who])
    assert client.post(reverse("societies:create", args=["partners"]), {"name": "新企业", "kind": "enterprise"}
                       ).status_code == 404
    assert client.post(reverse("societies:delete", args=["societies", people["s1"].pk])).status_code == 404
    assert not Partner.objects.filter(name="新企业").exists() and Society.objects.filter(pk=people["s1"].pk).exists()


def test_organisation_create_edit_and_search(client, people):
    client.force_login(people["secretariat"])
    response = client.post(reverse("societies:create", args=["partners"]), {"name": "中材锂膜", "kind": "enterprise"})
    assert response.status_code == 302
    firm = Partner.objects.get(name="中材锂膜")
    client.post(reverse("societies:edit", args=["partners", firm.pk]), {"name": "中材锂膜有限公司", "kind": "institution"})
    firm.refresh_from_db()
    assert (firm.name, firm.kind) == ("中材锂膜有限公司", PartnerKind.INSTITUTION)
    page = client.get(reverse("societies:list", args=["partners"]), {"q": "锂膜"})
    assert [item.pk for item, _cells in page.context["rows"]] == [firm.pk]
    assert client.get(reverse("societies:list", args=["partners"]), {"kind": "enterprise"}).context["rows"] == []


def test_organisation_duplicate_name_is_a_chinese_form_error(client, people):
    client.force_login(people["secretariat"])
    response = client.post(reverse("societies:create", args=["societies"]), {"name": "市老科协 "})
    assert response.status_code == 400 and "“市老科协”已存在" in response.content.decode()
    assert Society.objects.filter(name__startswith="市老科协").count() == 1


def test_organisation_still_used_is_not_deleted(client, people):
    client.force_login(people["secretariat"])
    factories.project(society=people["s1"])
    response = client.post(reverse("societies:delete", args=["societies", people["s1"].pk]), follow=True)
    assert response.status_code == 200 and "仍被项目、账号或记录使用" in response.content.decode()
    assert Society.objects.filter(pk=people["s1"].pk).exists()


def test_organisation_unknown_kind_or_id_is_not_found(client, people):
    client.force_login(people["secretariat"])
    assert client.get("/organisations/planets/").status_code == 404
    assert client.get(reverse("societies:edit", args=["partners", 999999])).status_code == 404


def test_organisation_list_query_count_does_not_grow(client, people, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["secretariat"])
    counts = []
    for total in (2, 30):
        while Society.objects.count() < total:
            factories.society()
        client.get(reverse("societies:list", args=["societies"]))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("societies:list", args=["societies"]))
        counts.append(len(captured))
    assert counts[0] == counts[1]


def account_data(**overrides) -> dict:
    data = {"username": "wang", "name": "王芳", "email": "wang@example.org", "role": Role.SOCIETY, "society": "",
            "district": "", "is_active": "on", "password": "Zhuang-2024-keji"}
    data.update(overrides)
    return data


def test_account_created_with_role_and_society(client, people):
    client.force_login(people["secretariat"])
    response = client.post(reverse("societies:account_create"), account_data(society=people["s1"].pk))
    assert response.status_code == 302
    account = User.objects.get(username="wang")
    assert role_of(account) == Role.SOCIETY and society_of(account) == people["s1"] and district_of(account) is None
    assert account.check_password("Zhuang-2024-keji")
    client.logout()
    client.post(reverse("login"), {"username": "wang", "password": "Zhuang-2024-keji"})
    assert client.session["_auth_user_id"] == str(account.pk)


@pytest.mark.parametrize(("overrides", "message"), [
    ({}, "学会联系人需要选择学会"),
    ({"role": Role.DISTRICT}, "区（市）科协联系人需要选择区（市）科协"),
    ({"role": Role.LEADER, "password": "123"}, "密码"),
    ({"role": Role.LEADER, "username": "bad name!"}, "只能使用字母"),
])
def test_account_bad_input_is_refused_in_chinese(client, people, overrides, message):
    client.force_login(people["secretariat"])
    response = client.post(reverse("societies:account_create"), account_data(**overrides))
    assert response.status_code == 400 and message in response.content.decode()
    assert not User.objects.filter(username__in=["wang", "bad name!"]).exists()


def test_account_edit_keeps_password_when_empty_and_can_deactivate(client, people):
    client.force_login(people["secretariat"])
    account = people["society"]
    response = client.post(reverse("societies:account_edit", args=[account.pk]), account_data(
        username=account.username, society=people["s1"].pk, password="", is_active=""))
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.is_active and account.check_password(factories.PASSWORD)


def test_account_pages_are_the_secretariats_only(client, people):
    for who in ("leader", "society", "district"):
        client.force_login(people[who])
        assert client.get(reverse("societies:accounts")).status_code == 404
        assert client.post(reverse("societies:account_create"), account_data(role=Role.SECRETARIAT)).status_code == 404
    assert not User.objects.filter(username="wang").exists()


def test_own_password_change(client, people):
    client.force_login(people["society"])
    response = client.post(reverse("password_change"), {
        "old_password": factories.PASSWORD, "new_password1": "Xin-mima-2025!", "new_password2": "Xin-mima-2025!"})
    assert response.status_code == 302
    people["society"].refresh_from_db()
    assert people["society"].check_password("Xin-mima-2025!")
