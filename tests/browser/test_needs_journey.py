"""The needs journey in Chromium: a district contact on a phone records a need, the secretariat assigns a suggested
expert, the society records the visit, the leader sees the enterprises-served figure move."""

import re

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def served(page) -> int:
    page.goto("/reports/dashboard/")
    return int(re.search(r'data-code="T3-served">.*?class="value">(\d+)<', page.page.content(), re.S).group(1))


def test_need_recorded_on_a_phone_assigned_visited_and_counted(open_page, demo):
    from needs.models import Need
    from societies.models import Expert, Industry, Society

    expert = Expert.objects.create(name="王隔膜", organisation="枣庄学院", field="锂电池隔膜材料、涂覆工艺",
                                   society=Society.objects.get(name="市老科协"))
    expert.industries.add(Industry.objects.get(name="新材料"))
    leader = open_page()
    leader.login("leader", demo)
    before = served(leader)

    phone = open_page(viewport=PHONE)
    phone.login("district", demo)
    phone.goto("/needs/new/")
    phone.page.fill("#id_partner_name", "中材锂膜有限公司")
    phone.page.select_option("#id_industry", label="新材料")
    phone.page.fill("#id_title", "隔膜涂层不均匀")
    phone.page.fill("#id_description", "湿法隔膜涂覆后出现条纹，需要改进涂覆工艺")
    phone.page.fill("#id_contact_phone", "13800000000")
    phone.submit("main button[type=submit]")
    assert "需求已保存" in phone.page.inner_text("main")
    need = Need.objects.get(title="隔膜涂层不均匀")
    assert need.collected_by_district.name == "滕州市科协" and need.district.name == "滕州市科协"

    desk = open_page()
    desk.login("secretariat", demo)
    desk.goto("/needs/{}/".format(need.pk))
    suggestions = desk.page.inner_text("#suggestions")
    assert "王隔膜" in suggestions and "领域匹配" in suggestions and "涂覆工艺" in suggestions
    desk.page.check("#suggestions input[name=experts][value='{}']".format(expert.pk))
    desk.submit("form[action$='/assign/'] button[type=submit]")
    assert desk.page.inner_text("#need-status") == "已对接"

    society = open_page(viewport=PHONE)
    society.login("society", demo)
    society.goto("/projects/notifications/")
    assert "王隔膜" in society.page.inner_text("main")
    society.goto("/needs/{}/".format(need.pk))
    society.page.check("input[name=experts][value='{}']".format(expert.pk))
    society.page.fill("textarea[name=notes]", "现场指导涂覆参数")
    society.submit("form[action$='/visit/'] button[type=submit]")
    assert society.page.inner_text("#need-status") == "已走访"

    assert served(leader) == before + 1
