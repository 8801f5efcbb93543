"""Who sees which projects: owner, colleague and outsider for each role, through the HTTP client."""

import pytest
from django.urls import reverse

from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two societies, two districts; project A of society 1 linked to district 1, project B of society 2."""
    s1, s2 = factories.society("市老科协"), factories.society("市医学会")
    d1, d2 = factories.district("滕州市科协"), factories.district("市中区科协")
    a = factories.project(society=s1, title="项目A", districts=[d1])
    b = factories.project(society=s2, title="项目B", districts=[d2])
    return {
        "a": a,
        "b": b,
        "secretariat": factories.user(Role.SECRETARIAT),
        "leader": factories.user(Role.LEADER),
        "society1": factories.user(Role.SOCIETY, society=s1),
        "society1_colleague": factories.user(Role.SOCIETY, society=s1),
        "society2": factories.user(Role.SOCIETY, society=s2),
        "district1": factories.user(Role.DISTRICT, district=d1),
        "nobody": factories.user(Role.SOCIETY),  # a contact whose profile names no society
    }


def listed_titles(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    return {project.title for project in response.context["projects"]}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("secretariat", {"项目A", "项目B"}),
        ("leader", {"项目A", "项目B"}),
        ("society1", {"项目A"}),
        ("society1_colleague", {"项目A"}),
        ("society2", {"项目B"}),
        ("district1", {"项目A"}),
        ("nobody", set()),
    ],
)
def test_project_list_shows_exactly_the_allowed_rows(client, world, who, expected):
    assert listed_titles(client, world[who]) == expected


@pytest.mark.parametrize(("who", "status"), [("society1", 200), ("society2", 404), ("district1", 200), ("nobody", 404)])
def test_project_detail_of_another_society_is_not_found(client, world, who, status):
    client.force_login(world[who])
    assert client.get(reverse("projects:detail", args=[world["a"].pk])).status_code == status


def test_project_pages_redirect_anonymous_to_login(client, world):
    for url in (reverse("projects:list"), reverse("projects:detail", args=[world["a"].pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_project_detail_unknown_id_is_not_found(client, world):
    client.force_login(world["secretariat"])
    assert client.get("/projects/999999/").status_code == 404
