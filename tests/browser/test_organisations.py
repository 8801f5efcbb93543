"""Organisation and account pages in Chromium: the secretariat keeps them, a new contact finds their own page."""

import pytest
from django.contrib.auth.models import User

from societies.models import Society
from tests import factories
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser
NEW_PASSWORD = "Yicheng-pomegranate-77"
OWN_PASSWORD = "Shiliu-garden-2025"


def test_secretariat_keeps_a_society_and_deletion_is_refused_while_it_has_projects(open_page, demo):
    page = open_page(allow_statuses=(400, 409))
    page.login("secretariat", demo)
    page.goto("/")
    page.page.click("#nav-organisations > summary")  # the 组织 group of the header menu
    page.submit("nav >> text=组织机构")
    page.submit("main >> text=市级学会")
    page.submit("text=新增市级学会")
    page.page.fill("#id_name", "市 新材料学会")
    page.page.fill("#id_member_count", "120")
    page.submit("main form button[type=submit]")
    society = Society.objects.get(name="市 新材料学会")
    assert "已保存" in page.page.inner_text("main")
    assert "120" in page.page.inner_text("dl.facts")
    # the same name again (white space aside) is a form error in Chinese
    page.goto("/organisations/societies/new/")
    page.page.fill("#id_name", "市新材料学会")
    page.submit("main form button[type=submit]")
    assert "已存在名为“市新材料学会”的市级学会" in page.page.inner_text("main")
    factories.project(society=society, title="新材料企业行")
    page.goto("/organisations/societies/{}/".format(society.pk))
    assert "新材料企业行" in page.page.inner_text("main")
    page.submit("main >> text=删除")
    assert "1" in page.page.inner_text("section.refusal")
    assert Society.objects.filter(pk=society.pk).exists()


def test_secretariat_creates_a_district_account_who_finds_their_page_on_a_phone(open_page, demo):
    desk = open_page(allow_statuses=(400,))
    desk.login("secretariat", demo)
    desk.goto("/users/new/")
    desk.page.fill("#id_username", "yicheng")
    desk.page.fill("#id_name", "峄城联络员")
    desk.page.select_option("#id_role", "district")
    desk.submit("main form button[type=submit]")
    assert "区（市）科协联系人必须选择所属区（市）科协" in desk.page.inner_text("main")
    desk.page.select_option("#id_district", label="峄城区科协")
    desk.page.fill("#id_password1", NEW_PASSWORD)
    desk.page.fill("#id_password2", NEW_PASSWORD)
    desk.submit("main form button[type=submit]")
    assert "账号 yicheng 已创建" in desk.page.inner_text("main")
    assert User.objects.get(username="yicheng").profile.district.name == "峄城区科协"

    phone = open_page(viewport=PHONE)
    phone.login("yicheng", NEW_PASSWORD)
    # The password the secretariat chose is a temporary one: the first page asks for the user's own.
    assert phone.page.url.endswith("/accounts/password/") and "临时密码" in phone.page.inner_text("main")
    phone.page.fill("#id_old_password", NEW_PASSWORD)
    phone.page.fill("#id_new_password1", OWN_PASSWORD)
    phone.page.fill("#id_new_password2", OWN_PASSWORD)
    phone.submit("main form button[type=submit]")
    phone.page.click("details.nav-menu > summary")  # on a phone the menu is a 菜单 disclosure
    phone.page.click("#nav-organisations > summary")  # then its 组织 group
    phone.submit("nav >> text=本区（市）科协")
    assert phone.page.inner_text("h1") == "峄城区科协"
    assert "修改密码" in phone.page.inner_text("footer")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
