"""The page-number helper every list uses: anything that is not a plain number is the first page, never an error."""

import pytest
from django.test import RequestFactory

from sanlian.paging import page_number, paginate


@pytest.mark.parametrize(("value", "expected"), [
    (None, 1), ("", 1), ("abc", 1), ("²", 1), ("٣", 1), ("-1", 1), ("0", 1), ("1.5", 1), (" 3 ", 3), ("3", 3),
    ("9" * 5000, 10 ** 9),
])
def test_page_number_is_a_plain_positive_number_or_the_first_page(value, expected):
    assert page_number(value) == expected


@pytest.mark.parametrize(("query", "number"), [("page=abc", 1), ("page=²", 1), ("page=99999", 4), ("page=2", 2),
                                               ("page=" + "9" * 40, 4)])
def test_paginate_clamps_to_the_first_or_last_page(query, number):
    listing = paginate(RequestFactory().get("/list/?q=x&" + query), list(range(10)), 3)
    assert listing.page.number == number
    assert listing.prefix == "?q=x&page="


def test_paginate_offers_only_the_listed_page_sizes_and_keeps_other_parameters():
    request = RequestFactory().get("/list/?year=2024&size=100&page=2")
    listing = paginate(request, list(range(250)), 50, sizes=(20, 50, 100))
    assert (listing.size, list(listing.rows)[:1]) == (100, [100])
    assert listing.size_links == [(20, "?year=2024&size=20", False), (50, "?year=2024&size=50", False),
                                  (100, "?year=2024&size=100", True)]
    assert listing.prefix == "?year=2024&size=100&page="
    assert paginate(RequestFactory().get("/list/?size=7"), list(range(250)), 50, sizes=(20, 50, 100)).size == 50


LISTS = ["/projects/", "/projects/mine/", "/projects/notifications/", "/meetings/bulletins/", "/reports/review/",
         "/reports/records/", "/reports/targets/T4-joint-activities/", "/organisations/societies/", "/users/"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "²", "99999", "-1", "9" * 60])
@pytest.mark.parametrize("url", LISTS)
def test_every_list_takes_any_page_number_without_an_error(client, url, page):
    from reports.targets import load_targets
    from societies.choices import Role
    from tests import factories

    load_targets()
    client.force_login(factories.user(Role.SECRETARIAT))
    response = client.get(url, {"page": page, "outcomes": page, "records": page})
    assert response.status_code == 200
