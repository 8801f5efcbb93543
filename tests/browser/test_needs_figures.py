"""The "需求对接" section in Chromium: on the leader's dashboard and on a district contact's own district page the
figures show and the chart of needs per "6+3" industry is drawn (static script, no CSP violation, no console
error — the page guards of ``conftest``)."""

from datetime import date

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def test_needs_section_on_the_dashboard_and_the_district_page(open_page, demo):
    from needs.models import Need
    from societies.models import District, Industry, Partner

    district = District.objects.get(name="滕州市科协")
    year = timezone.localdate().year
    for n, industry in enumerate(("新材料", "新材料", "高端化工")):
        Need.objects.create(partner=Partner.objects.create(name="企业{}".format(n), name_key="企业{}".format(n)),
                            district=district, industry=Industry.objects.get(name=industry),
                            title="需求{}".format(n), description="说明", collected_on=date(year, 3, 1 + n))
    leader = open_page()
    leader.login("leader", demo)
    leader.goto("/reports/dashboard/?year={}".format(year))
    section = leader.page.inner_text("#needs-section")
    assert "需求对接" in section and "新材料" in section and "滕州市科协" in section
    leader.page.wait_for_selector("#chart-needs-industry svg")

    phone = open_page(viewport=PHONE)
    phone.login("district", demo)
    phone.goto("/organisations/districts/{}/".format(district.pk))
    assert "3 项需求" in phone.page.inner_text("#organisation-needs")
    phone.page.wait_for_selector("#chart-needs-industry svg")
    phone.page.click("#needs-by-status li[data-status=collected] a")
    assert "3 项需求" in phone.page.inner_text("#need-count")
