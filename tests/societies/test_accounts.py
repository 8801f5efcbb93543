"""Account pages: the secretariat keeps accounts; others get 404; validation in Chinese; own password change."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from societies.access import district_of, role_of, society_of
from societies.choices import Role
from societies.services import DEMO_ACCOUNTS, ensure_demo_accounts
from tests import factories

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Qinghe-river-2024"


def can_log_in(client, username: str, password: str) -> bool:
    """Log in through the login page (axes needs the request); True when the portal lets the user in."""
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


@pytest.fixture
def world():
    own = factories.society("市老科协")
    tengzhou = factories.district("滕州市科协")
    return {
        "own": own, "tengzhou": tengzhou,
        "secretariat": factories.user(Role.SECRETARIAT, username="sec"),
        "leader": factories.user(Role.LEADER, username="lead"),
        "alice": factories.user(Role.SOCIETY, username="alice", society=own),
        "dora": factories.user(Role.DISTRICT, username="dora", district=tengzhou),
    }


def new_account(**overrides) -> dict:
    data = {"username": "wang", "name": "王五", "email": "wang@example.org", "role": "society", "society": "",
            "district": "", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["leader", "alice", "dora"])
def test_account_pages_not_found_for_non_secretariat(client, world, who):
    client.force_login(world[who])
    target = world["alice"].pk
    assert client.get(reverse("accounts:list")).status_code == 404
    assert client.post(reverse("accounts:create"), new_account(society=world["own"].pk)).status_code == 404
    assert client.post(reverse("accounts:edit", args=[target]), {}).status_code == 404
    assert client.post(reverse("accounts:password", args=[target]),
                       {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}).status_code == 404
    assert client.post(reverse("accounts:active", args=[target]), {"active": "0"}).status_code == 404
    assert User.objects.filter(username="wang").exists() is False
    assert User.objects.get(pk=target).is_active is True


def test_account_pages_anonymous_redirected(client):
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_secretariat_creates_society_contact_who_can_log_in(client, world):
    client.force_login(world["secretariat"])
    response = client.post(reverse("accounts:create"), new_account(society=world["own"].pk))
    assert response.status_code == 302
    user = User.objects.get(username="wang")
    assert (user.first_name, user.email, user.is_staff) == ("王五", "wang@example.org", False)
    assert (role_of(user), society_of(user)) == (Role.SOCIETY, world["own"])
    assert can_log_in(client, "wang", GOOD_PASSWORD) is True


def test_create_account_role_requires_its_unit(client, world):
    client.force_login(world["secretariat"])
    response = client.post(reverse("accounts:create"), new_account())
    assert response.status_code == 400
    assert "学会联系人必须选择所属学会" in response.content.decode()
    response = client.post(reverse("accounts:create"), new_account(role="district", society=world["own"].pk))
    body = response.content.decode()
    assert "区（市）科协联系人必须选择所属区（市）科协" in body
    assert "只有学会联系人可以关联学会" in body
    response = client.post(reverse("accounts:create"), new_account(role="leader", district=world["tengzhou"].pk))
    assert "只有区（市）科协联系人可以关联区（市）科协" in response.content.decode()
    assert User.objects.filter(username="wang").exists() is False


def test_create_account_bad_input_refused_in_chinese(client, world):
    client.force_login(world["secretariat"])
    cases = [
        (new_account(username="alice", society=world["own"].pk), "用户名“alice”已被使用"),
        (new_account(username="ALICE", society=world["own"].pk), "已被使用"),
        (new_account(username="a b", society=world["own"].pk), "用户名只能包含"),
        (new_account(role="king", society=world["own"].pk), "选择一个有效的选项"),
        (new_account(society=999999), "选择一个有效的选项"),
        (new_account(email="not-an-address", society=world["own"].pk), "有效的 Email 地址"),
        (new_account(password1="12345678", password2="12345678", society=world["own"].pk), "密码"),
        (new_account(password2="different-one-9", society=world["own"].pk), "两次输入的密码不一致"),
    ]
    for data, message in cases:
        response = client.post(reverse("accounts:create"), data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert User.objects.filter(username__in=["wang", "ALICE", "a b"]).exists() is False


def test_create_account_password_too_similar_to_user_name(client, world):
    client.force_login(world["secretariat"])
    response = client.post(reverse("accounts:create"), new_account(
        username="zhangsanfeng", password1="zhangsanfeng1", password2="zhangsanfeng1", role="leader"))
    assert response.status_code == 400
    assert "相似" in response.content.decode()


def test_edit_account_changes_role_and_unit(client, world):
    client.force_login(world["secretariat"])
    page = client.get(reverse("accounts:edit", args=[world["alice"].pk]))
    assert page.status_code == 200
    response = client.post(reverse("accounts:edit", args=[world["alice"].pk]), {
        "username": "alice", "name": "爱丽丝", "email": "alice@example.org", "role": "district",
        "district": world["tengzhou"].pk})
    assert response.status_code == 302
    alice = User.objects.get(username="alice")
    assert (role_of(alice), district_of(alice), society_of(alice)) == (Role.DISTRICT, world["tengzhou"], None)
    assert list(alice.groups.values_list("name", flat=True)) == ["district"]


def test_edit_unknown_account_not_found(client, world):
    client.force_login(world["secretariat"])
    assert client.get(reverse("accounts:edit", args=[999999])).status_code == 404
    assert client.post(reverse("accounts:active", args=[999999]), {"active": "0"}).status_code == 404


def test_deactivate_account_blocks_login(client, world):
    client.force_login(world["secretariat"])
    response = client.post(reverse("accounts:active", args=[world["alice"].pk]), {"active": "0"})
    assert response.status_code == 302
    assert can_log_in(client, "alice", factories.PASSWORD) is False


def test_deactivate_own_account_refused(client, world):
    client.force_login(world["secretariat"])
    response = client.post(reverse("accounts:active", args=[world["secretariat"].pk]), {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    assert User.objects.get(pk=world["secretariat"].pk).is_active is True


def test_set_temporary_password_validated(client, world):
    client.force_login(world["secretariat"])
    target = reverse("accounts:password", args=[world["alice"].pk])
    response = client.post(target, {"password1": "123", "password2": "123"})
    assert response.status_code == 400
    assert "密码太短：至少需要 8 个字符" in response.content.decode()
    assert client.post(target, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}).status_code == 302
    assert can_log_in(client, "alice", GOOD_PASSWORD) is True


def test_user_changes_own_password(client, world):
    client.force_login(world["alice"])
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "修改密码" in page.content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": factories.PASSWORD, "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert response.status_code == 302
    assert can_log_in(client, "alice", GOOD_PASSWORD) is True


def test_account_list_query_count_same_at_two_sizes(client, world, django_assert_num_queries):
    client.force_login(world["secretariat"])
    counts = []
    for size in (2, 20):
        for _n in range(size):
            factories.user(Role.SOCIETY, society=factories.society())
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("accounts:list")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_demo_accounts_get_example_org_addresses():
    ensure_demo_accounts(password="sanlian-demo")
    names = [a.username for a in DEMO_ACCOUNTS]
    emails = dict(User.objects.filter(username__in=names).values_list("username", "email"))
    assert emails == {a.username: "{}@example.org".format(a.username) for a in DEMO_ACCOUNTS}


def test_demo_account_without_email_gets_one_on_second_run():
    ensure_demo_accounts(password="sanlian-demo")
    User.objects.filter(username="leader").update(email="")
    ensure_demo_accounts(password="sanlian-demo")
    assert User.objects.get(username="leader").email == "leader@example.org"


def test_language_switch_to_english_and_back(client, world):
    client.force_login(world["alice"])
    page = client.get(reverse("projects:list")).content.decode()
    assert 'action="{}"'.format(reverse("set_language")) in page
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("projects:list")})
    assert response.status_code == 302
    assert "Project list" in client.get(reverse("projects:list")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "项目清单" in client.get(reverse("projects:list")).content.decode()


def test_secretariat_cannot_take_over_a_superuser(client, world):
    root = User.objects.create_superuser("root", "root@example.org", factories.PASSWORD)
    client.force_login(world["secretariat"])
    assert "root" not in client.get(reverse("accounts:list")).content.decode()
    assert client.get(reverse("accounts:edit", args=[root.pk])).status_code == 404
    response = client.post(reverse("accounts:password", args=[root.pk]),
                           {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 404
    assert client.post(reverse("accounts:active", args=[root.pk]), {"active": "0"}).status_code == 404
    root.refresh_from_db()
    assert (root.check_password(factories.PASSWORD), root.is_active) == (True, True)


def test_language_button_names_the_language_in_itself(client, world):
    client.force_login(world["alice"])
    page = client.get(reverse("projects:list")).content.decode()
    assert 'lang="en">English</button>' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="zh-hans">简体中文</button>' in client.get(reverse("projects:list")).content.decode()
