"""Account rules: the only secretariat account stays one, temporary passwords are changed at the first log-in,
look-alike user names are refused."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from societies.access import role_of
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Qinghe-river-2024"
OWN_PASSWORD = "Baodugu-hill-2025"


def log_in(client, username: str, password: str):
    client.logout()
    return client.post(reverse("login"), {"username": username, "password": password})


def edit_data(user: User, **overrides) -> dict:
    data = {"username": user.username, "name": "", "email": "", "role": role_of(user), "society": "", "district": ""}
    data.update(overrides)
    return data


def test_the_only_secretariat_account_cannot_demote_or_deactivate_itself(client):
    sec = factories.user(Role.SECRETARIAT, username="sec")
    client.force_login(sec)
    response = client.post(reverse("accounts:edit", args=[sec.pk]), edit_data(sec, role="leader"))
    assert response.status_code == 400 and "唯一的学会部账号" in response.content.decode()
    response = client.post(reverse("accounts:active", args=[sec.pk]), {"active": "0"}, follow=True)
    sec = User.objects.get(pk=sec.pk)
    assert (role_of(sec), sec.is_active) == (Role.SECRETARIAT, True)
    # With a second secretariat account, the first may hand over.
    factories.user(Role.SECRETARIAT, username="sec2")
    response = client.post(reverse("accounts:edit", args=[sec.pk]), edit_data(sec, role="leader"))
    assert response.status_code == 302
    assert role_of(User.objects.get(pk=sec.pk)) == Role.LEADER


def test_after_the_other_secretariat_account_is_deactivated_the_remaining_one_stays(client):
    sec, sec2 = factories.user(Role.SECRETARIAT, username="sec"), factories.user(Role.SECRETARIAT, username="sec2")
    client.force_login(sec)
    assert client.post(reverse("accounts:active", args=[sec2.pk]), {"active": "0"}).status_code == 302
    assert User.objects.get(pk=sec2.pk).is_active is False
    response = client.post(reverse("accounts:edit", args=[sec.pk]), edit_data(sec, role="leader"))
    assert response.status_code == 400 and role_of(User.objects.get(pk=sec.pk)) == Role.SECRETARIAT


def test_a_temporary_password_must_be_changed_at_the_first_log_in(client):
    sec = factories.user(Role.SECRETARIAT, username="sec")
    society = factories.society()
    client.force_login(sec)
    response = client.post(reverse("accounts:create"), {
        "username": "wang", "name": "王五", "email": "", "role": "society", "society": society.pk, "district": "",
        "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 302
    assert log_in(client, "wang", GOOD_PASSWORD).status_code == 302
    for url in (reverse("home"), reverse("projects:list"), reverse("projects:mine"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), url
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "临时密码" in page.content.decode()
    response = client.post(reverse("password_change"), {"old_password": GOOD_PASSWORD, "new_password1": OWN_PASSWORD,
                                                        "new_password2": OWN_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("projects:list")).status_code == 200
    assert log_in(client, "wang", OWN_PASSWORD).status_code == 302
    assert client.get(reverse("projects:list")).status_code == 200  # changed once, free from then on

    # A temporary password set later by the secretariat brings the obligation back.
    wang = User.objects.get(username="wang")
    client.force_login(sec)
    assert client.post(reverse("accounts:password", args=[wang.pk]),
                       {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}).status_code == 302
    assert log_in(client, "wang", GOOD_PASSWORD).status_code == 302
    assert client.get(reverse("projects:list"))["Location"] == reverse("password_change")
    assert client.post(reverse("logout")).status_code == 302


@pytest.mark.parametrize("name", ["ＡＤＭＩＮ", "Admin", "ａｄｍｉｎ", "ADMİN".replace("İ", "I")])
def test_look_alike_user_names_are_refused(client, name):
    factories.user(Role.LEADER, username="admin")
    client.force_login(factories.user(Role.SECRETARIAT, username="sec"))
    response = client.post(reverse("accounts:create"), {
        "username": name, "name": "", "email": "", "role": "leader", "society": "", "district": "",
        "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 400 and "已被使用" in response.content.decode()
    assert User.objects.count() == 2


def test_a_full_width_name_is_stored_normalised(client):
    client.force_login(factories.user(Role.SECRETARIAT, username="sec"))
    response = client.post(reverse("accounts:create"), {
        "username": "ｗａｎｇ５", "name": "", "email": "", "role": "leader", "society": "", "district": "",
        "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 302 and User.objects.filter(username="wang5").exists()
