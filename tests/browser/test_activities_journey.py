"""The district's own work in Chromium: on a phone a district contact records a campaign with per-town lines and an
own activity at a venue; the leader sees them on the dashboard and opens the district page (A4 print layout)."""

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE, SCREENSHOTS

pytestmark = pytest.mark.browser


def test_district_records_a_campaign_and_an_activity_the_leader_sees_them(open_page, demo):
    from django.contrib.auth.models import User

    from activities.models import Campaign, OwnActivity, Venue, VenueKind
    from projects.choices import ReviewStatus

    district = User.objects.get(username="district").profile.district
    venue = Venue.objects.create(name="锦龙社区科普馆", kind=VenueKind.objects.get(code="community_venue"),
                                 district=district)
    today = timezone.localdate()
    phone = open_page(viewport=PHONE)
    phone.login("district", demo)
    phone.goto("/activities/campaigns/new/")
    phone.page.fill("#id_title", "全国科普月")
    phone.page.fill("#id_starts_on", today.isoformat())
    phone.page.fill("#id_ends_on", today.isoformat())
    phone.page.fill("#id_scope", "全区镇街、中小学校")
    for index, (town, sessions, people) in enumerate((("光明路街道", "120", "15000"), ("永安镇", "80", "9000"))):
        phone.page.fill("#id_lines-{}-town".format(index), town)
        phone.page.fill("#id_lines-{}-sessions".format(index), sessions)
        phone.page.fill("#id_lines-{}-participants".format(index), people)
    phone.submit("main button[type=submit]")
    assert "集中活动已保存" in phone.page.inner_text("main")
    assert phone.page.inner_text("#campaign-sessions") == "200"
    phone.goto("/activities/new/")
    phone.page.fill("#id_title", "社区科普馆主题展览")
    phone.page.fill("#id_held_on", today.isoformat())
    phone.page.fill("#id_participants", "700")
    phone.page.select_option("#id_venue", str(venue.pk))
    phone.submit("main button[type=submit]")
    assert "经学会部确认后计入目标" in phone.page.inner_text("main")
    activity = OwnActivity.objects.get(title="社区科普馆主题展览")
    assert activity.venue == venue and Campaign.objects.get().participants == 24000
    OwnActivity.objects.filter(pk=activity.pk).update(review=ReviewStatus.CONFIRMED)

    leader = open_page()
    leader.login("leader", demo)
    leader.goto("/reports/dashboard/")
    reach = leader.page.inner_text("#reach")
    assert district.name in reach and "24000" in reach
    leader.goto("/organisations/districts/{}/".format(district.pk))
    figures = leader.page.inner_text("#district-figures")
    assert "24700" in figures and "锦龙社区科普馆" in leader.page.inner_text("#district-venues")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    leader.page.emulate_media(media="print")
    leader.page.pdf(path=str(SCREENSHOTS / "district-page.pdf"), format="A4")
