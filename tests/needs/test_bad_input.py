"""Bad input on the need pages: a Chinese message or a 4xx, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("params", [{"year": "abc"}, {"district": "999999"}, {"status": "nope"}, {"page": "x"},
                                    {"industry": "-1"}])
def test_need_list_bad_filters_are_not_errors(client, world, params):
    client.force_login(world["secretariat"])
    assert client.get(reverse("needs:list"), params).status_code == 200
    assert client.get(reverse("needs:export"), params).status_code == 200


@pytest.mark.parametrize("data", [{"experts": ["abc"]}, {"experts": ["999999"]}, {}])
def test_need_assign_bad_input_changes_nothing(client, world, data):
    client.force_login(world["secretariat"])
    response = client.post(reverse("needs:assign", args=[world["need"].pk]), data, follow=True)
    assert response.status_code == 200 and world["need"].matches.count() == 0


def test_need_close_bad_satisfaction_is_refused(client, world):
    client.force_login(world["alice"])
    client.post(reverse("needs:close", args=[world["need"].pk]), {"result": "unsolved", "reason": "x",
                                                                  "satisfaction": "9"})
    world["need"].refresh_from_db()
    assert world["need"].status == "collected"


def test_need_create_unknown_district_is_a_form_error(client, world):
    client.force_login(world["alice"])
    response = client.post(reverse("needs:create"), {
        "partner_name": "某企业", "district": "999999", "kind": "research", "title": "需求", "description": "内容",
        "urgency": "normal", "collected_on": "2026-04-01"})
    assert response.status_code == 200 and response.context["form"].errors["district"]


def test_need_create_same_title_for_same_enterprise_is_a_chinese_form_error(client, world):
    client.force_login(world["alice"])
    response = client.post(reverse("needs:create"), {
        "partner_name": "中材锂膜有限公司", "district": world["d1"].pk, "kind": "research",
        "title": "锂电池隔膜涂覆工艺改进", "description": "内容", "urgency": "normal", "collected_on": "2026-04-01"})
    assert response.status_code == 200
    assert "该企业已有同名需求。" in response.content.decode()
