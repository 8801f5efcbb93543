"""Who sees which projects: owner, colleague and outsider for each role, through the HTTP client."""

import pytest
from django.urls import reverse


pytestmark = pytest.mark.django_db


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
