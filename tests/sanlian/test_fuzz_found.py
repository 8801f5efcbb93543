"""What tests/sanlian/test_fuzz.py found, kept as plain cases: a query-string year or id that ``int()`` refuses or
the database cannot hold, and a ``next`` that is not a path, answered 500."""

import pytest

from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db
HUGE = str(2**63)
BAD = ["²", "-1", HUGE, "-" + HUGE, "9999", "0", "\x00"]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("url,param", [
    ("/needs/", "year"), ("/needs/export.xlsx", "year"), ("/activities/campaigns/", "year"),
    ("/activities/measures/", "year"), ("/activities/venues/", "district"),
])
def test_a_bad_year_or_id_in_the_query_is_ignored(client, url, param, value):
    client.force_login(factories.user(Role.SECRETARIAT, username="fuzz-found"))
    response = client.get(url, {param: value})
    assert response.status_code == 200


@pytest.mark.parametrize("target", ["²", "projects:list", "//evil.example.org/", "https://evil.example.org/", "\ud800"])
def test_urge_with_a_next_that_is_not_a_local_path_returns_to_the_project(client, target):
    client.force_login(factories.user(Role.SECRETARIAT, username="fuzz-urge"))
    project = factories.project(status="in_progress")
    body = "note=&next=" + __import__("urllib.parse").parse.quote_from_bytes(target.encode("utf-8", "surrogatepass"))
    response = client.post("/projects/{}/urge/".format(project.pk), body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response["Location"] == project.get_absolute_url()
