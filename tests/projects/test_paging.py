"""Every project list a page at a time: bounded cost (same queries at two sizes), the right rows on page 2, the
filters kept across pages, bad page numbers never an error; "my projects" grouped with the overdue first."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.choices import ProjectStatus
from projects.models import Project
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


def queries(client, url, params=None) -> int:
    client.get(url, params)  # warm session and caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def grow(society, total: int, **fields) -> None:
    district, unit, firm = factories.district(), factories.upper_unit(), factories.partner()
    while Project.objects.filter(society=society).count() < total:
        factories.project(society=society, districts=[district], upper_units=[unit], partners=[firm], **fields)


@pytest.mark.parametrize(("view", "role"), [("projects:list", Role.LEADER), ("projects:list", Role.SOCIETY),
                                            ("projects:mine", Role.SOCIETY)])
def test_list_query_count_is_the_same_below_and_beyond_one_page(client, view, role):
    society = factories.society()
    client.force_login(factories.user(role, society=society if role == Role.SOCIETY else None))
    counts = []
    for total in (3, 120):
        grow(society, total)
        counts.append(queries(client, reverse(view)))
        counts.append(queries(client, reverse(view), {"page": "2"}))
    assert counts[0] == counts[2] == counts[3]


def test_project_list_shows_50_a_page_with_counts_and_page_2_keeps_the_filters(client):
    own, other = factories.society("市老科协"), factories.society("市医学会")
    grow(own, 75)
    grow(other, 10)
    client.force_login(factories.user(Role.LEADER))
    response = client.get(reverse("projects:list"), {"society": own.pk})
    body = response.content.decode()
    assert len(response.context["projects"]) == 50
    assert "75 个项目" in body and "第 1–50 条，共 75 条" in body
    assert "?society={}&amp;page=2".format(own.pk) in body
    second = client.get(reverse("projects:list"), {"society": own.pk, "size": "50", "page": "2"})
    expected = list(Project.objects.filter(society=own).order_by("year", "position", "id")[50:])
    assert list(second.context["projects"]) == expected
    assert "第 51–75 条，共 75 条" in second.content.decode()


@pytest.mark.parametrize(("size", "shown"), [("20", 20), ("100", 85), ("7", 50), ("abc", 50)])
def test_project_list_page_size_choice(client, size, shown):
    grow(factories.society(), 85)
    client.force_login(factories.user(Role.LEADER))
    assert len(client.get(reverse("projects:list"), {"size": size}).context["projects"]) == shown


@pytest.mark.parametrize(("page", "number"), [("abc", 1), ("²", 1), ("99999", 3), ("-2", 1), ("", 1)])
@pytest.mark.parametrize("view", ["projects:list", "projects:mine"])
def test_bad_page_numbers_give_the_first_or_last_page(client, view, page, number):
    society = factories.society()
    grow(society, 110 if view == "projects:list" else 70)
    client.force_login(factories.user(Role.SOCIETY, society=society))
    response = client.get(reverse(view), {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == number


def test_my_projects_grouped_by_status_with_the_overdue_first(client):
    society = factories.society()
    today = timezone.localdate()
    late = today - timedelta(days=3)
    later = today + timedelta(days=30)
    planned = factories.project(society=society, title="甲项目", due_start=later, due_end=later)
    overdue = factories.project(society=society, title="乙项目", due_start=late, due_end=late,
                                status=ProjectStatus.IN_PROGRESS)
    going = factories.project(society=society, title="丙项目", due_start=later, due_end=later,
                              status=ProjectStatus.IN_PROGRESS)
    done = factories.project(society=society, title="丁项目", due_start=late, due_end=late, status=ProjectStatus.DONE)
    factories.project(title="别人的")
    client.force_login(factories.user(Role.SOCIETY, society=society))
    response = client.get(reverse("projects:mine"))
    groups = [(group, [p.title for p in rows], size) for group, rows, size in response.context["groups"]]
    assert groups == [(0, [overdue.title], 1), (2, [going.title], 1), (3, [planned.title], 1), (4, [done.title], 1)]
    body = response.content.decode()
    order = ["<h2>已逾期", ">乙项目</a>", ">丙项目</a>", ">甲项目</a>", ">丁项目</a>"]
    assert [body.index(text) for text in order] == sorted(body.index(text) for text in order)


def test_my_projects_page_2_continues_the_groups_with_their_full_sizes(client):
    society = factories.society()
    late = timezone.localdate() - timedelta(days=1)
    grow(society, 40, due_start=late, due_end=late)  # 40 overdue
    grow(factories.society(), 1)
    for _n in range(5):
        factories.project(society=society, status=ProjectStatus.DONE, due_start=date(2024, 1, 1),
                          due_end=date(2024, 1, 2))
    client.force_login(factories.user(Role.SOCIETY, society=society))
    first = client.get(reverse("projects:mine")).context["groups"]
    second = client.get(reverse("projects:mine"), {"page": "2"}).context["groups"]
    assert [(group, len(rows), size) for group, rows, size in first] == [(0, 30, 40)]
    assert [(group, len(rows), size) for group, rows, size in second] == [(0, 10, 40), (4, 5, 5)]


def test_my_projects_pager_counts_the_contacts_projects_from_the_group_sizes(client):
    society = factories.society()
    grow(society, 45)
    grow(factories.society(), 3)
    client.force_login(factories.user(Role.SOCIETY, society=society))
    response = client.get(reverse("projects:mine"), {"page": "2"})
    assert response.context["page"].paginator.count == 45
    assert "第 31–45 条，共 45 条" in response.content.decode()
    assert sum(size for _group, _rows, size in response.context["groups"]) == 45
