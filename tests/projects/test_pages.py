"""Keeping projects in the portal: create, edit, delete, status, task force, filters — with who may do what."""

from datetime import date

import pytest
from django.urls import reverse

from projects.choices import ProjectStatus
from projects.models import Project, TaskForce
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


def project_fields(world, **overrides) -> dict:
    society = world["a"].society
    fields = {"year": "2024", "society": str(society.pk), "title": "新项目", "due_text": "6-8月", "contact": "张三",
              "remarks": "", "status": ProjectStatus.PLANNED, "districts": [str(d.pk) for d in world["a"].districts.all()]}
    fields.update(overrides)
    return fields


def test_project_create_by_secretariat_derives_the_due_window_and_keeps_history(client, world):
    client.force_login(world["secretariat"])
    response = client.post(reverse("projects:create"), project_fields(world))
    project = Project.objects.get(title="新项目")
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert (project.due_start, project.due_end) == (date(2024, 6, 1), date(2024, 8, 31))
    assert [d.name for d in project.district_list] == ["滕州市科协"]
    assert project.history.get().history_user == world["secretariat"]


@pytest.mark.parametrize("who", ["leader", "society1", "district1", "nobody"])
def test_project_create_and_edit_are_the_secretariats_only(client, world, who):
    client.force_login(world[who])
    assert client.get(reverse("projects:create")).status_code == 404
    assert client.post(reverse("projects:create"), project_fields(world)).status_code == 404
    assert client.post(reverse("projects:edit", args=[world["a"].pk]), project_fields(world)).status_code == 404
    assert client.post(reverse("projects:delete", args=[world["a"].pk])).status_code == 404
    assert not Project.objects.filter(title="新项目").exists() and Project.objects.filter(pk=world["a"].pk).exists()


def test_project_edit_keeps_link_order_and_refuses_a_duplicate_title(client, world):
    client.force_login(world["secretariat"])
    project = world["a"]
    d2 = factories.district("薛城区科协")
    fields = project_fields(world, title="项目A", districts=[str(d2.pk), str(project.district_list[0].pk)])
    assert client.post(reverse("projects:edit", args=[project.pk]), fields).status_code == 302
    assert [d.name for d in Project.objects.with_links().get(pk=project.pk).district_list] == ["滕州市科协", "薛城区科协"]
    factories.project(society=project.society, title="另一个项目")
    response = client.post(reverse("projects:edit", args=[project.pk]), project_fields(world, title="另一个项目"))
    assert response.status_code == 400
    assert "该学会在 2024 年已有同名项目" in response.content.decode()
    assert Project.objects.get(pk=project.pk).title == "项目A"


@pytest.mark.parametrize("year", ["abc", "1999", "", "20245"])
def test_project_form_refuses_bad_years_in_chinese(client, world, year):
    client.force_login(world["secretariat"])
    response = client.post(reverse("projects:create"), project_fields(world, year=year))
    assert response.status_code == 400
    assert "请更正以下错误" in response.content.decode()
    assert not Project.objects.filter(title="新项目").exists()


def test_project_form_unknown_society_id_is_a_form_error(client, world):
    client.force_login(world["secretariat"])
    response = client.post(reverse("projects:create"), project_fields(world, society="999999"))
    assert response.status_code == 400 and not Project.objects.filter(title="新项目").exists()


def test_project_delete_by_secretariat(client, world):
    client.force_login(world["secretariat"])
    assert client.get(reverse("projects:delete", args=[world["b"].pk])).status_code == 200
    assert client.post(reverse("projects:delete", args=[world["b"].pk])).status_code == 302
    assert not Project.objects.filter(pk=world["b"].pk).exists()


@pytest.mark.parametrize(("who", "status"), [
    ("secretariat", 302), ("society1", 302), ("society1_colleague", 302), ("society2", 404), ("district1", 404),
    ("leader", 404), ("nobody", 404),
])
def test_status_change_by_owner_society_or_secretariat_only(client, world, who, status):
    client.force_login(world[who])
    response = client.post(reverse("projects:status", args=[world["a"].pk]), {"status": ProjectStatus.DONE})
    assert response.status_code == status
    expected = ProjectStatus.DONE if status == 302 else ProjectStatus.PLANNED
    assert Project.objects.get(pk=world["a"].pk).status == expected


def test_status_change_refuses_an_unknown_status(client, world):
    client.force_login(world["society1"])
    response = client.post(reverse("projects:status", args=[world["a"].pk]), {"status": "finished!"}, follow=True)
    assert response.status_code == 400 and "请选择列出的状态之一" in response.content.decode()
    assert Project.objects.get(pk=world["a"].pk).status == ProjectStatus.PLANNED


def test_status_change_shows_in_the_history_with_old_and_new(client, world):
    client.force_login(world["society1"])
    client.post(reverse("projects:status", args=[world["a"].pk]), {"status": ProjectStatus.IN_PROGRESS})
    page = client.get(reverse("projects:detail", args=[world["a"].pk])).content.decode()
    assert "状态: {} → {}".format(ProjectStatus.PLANNED.label, ProjectStatus.IN_PROGRESS.label) in page


def test_detail_shows_change_forms_only_to_who_may_change(client, world):
    for who, shown in (("society1", True), ("district1", False), ("leader", False)):
        client.force_login(world[who])
        page = client.get(reverse("projects:detail", args=[world["a"].pk])).content.decode()
        assert (reverse("projects:update_post", args=[world["a"].pk]) in page) is shown
        assert (reverse("projects:status", args=[world["a"].pk]) in page) is shown


def test_task_force_saved_with_members_in_order(client, world):
    client.force_login(world["society1"])
    url = reverse("projects:task_force", args=[world["a"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "滕州市科协" in page.content.decode()  # members start from the linked units
    data = {"leader": "王会长", "goal": "服务企业", "measures": "走访", "members-TOTAL_FORMS": "2",
            "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "50",
            "members-0-unit_name": "滕州市科协", "members-0-person": "李四", "members-0-duty": "组织",
            "members-1-unit_name": "中材锂膜", "members-1-person": "赵六", "members-1-duty": ""}
    assert client.post(url, data).status_code == 302
    task_force = TaskForce.objects.get(project=world["a"])
    assert task_force.leader == "王会长"
    assert [(m.unit_name, m.person) for m in task_force.members.all()] == [("滕州市科协", "李四"), ("中材锂膜", "赵六")]
    client.force_login(world["society2"])
    assert client.get(url).status_code == 404


def test_project_list_filters_by_status_district_and_search(client, world):
    client.force_login(world["secretariat"])
    Project.objects.filter(pk=world["b"].pk).update(status=ProjectStatus.DONE)

    def titles(**params):
        return {p.title for p in client.get(reverse("projects:list"), params).context["projects"]}

    assert titles(status=ProjectStatus.DONE) == {"项目B"}
    assert titles(district=world["a"].district_list[0].pk) == {"项目A"}
    assert titles(q="市医学会") == {"项目B"}
    assert titles(q="滕州") == {"项目A"}
    assert titles(year="abc") == {"项目A", "项目B"}  # an invalid filter value is ignored, not a 500


def test_project_list_filters_never_widen_access(client, world):
    client.force_login(world["society2"])
    response = client.get(reverse("projects:list"), {"q": "项目", "society": world["a"].society.pk})
    assert list(response.context["projects"]) == []


def _page_queries(client, django_assert_num_queries, url, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm session and caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("view", ["projects:list", "projects:mine"])
def test_project_list_pages_query_count_does_not_grow(client, django_assert_num_queries, view):
    society = factories.society()
    district = factories.district()
    unit, firm = factories.upper_unit(), factories.partner()
    user = factories.user(Role.SOCIETY, society=society)
    client.force_login(user)
    counts = []
    for total in (2, 20):
        while Project.objects.filter(society=society).count() < total:
            factories.project(society=society, districts=[district], upper_units=[unit], partners=[firm])
        counts.append(_page_queries(client, django_assert_num_queries, reverse(view), total))
    assert counts[0] == counts[1]


def test_history_says_a_unit_was_linked_or_unlinked_not_created(client, world):
    client.force_login(world["secretariat"])
    project, d2 = world["a"], factories.district("薛城区科协")
    client.post(reverse("projects:edit", args=[project.pk]), project_fields(world, title="项目A", districts=[str(d2.pk)]))
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "关联了 区（市）科协：薛城区科协" in page and "取消关联了 区（市）科协：滕州市科协" in page
    assert "新建了 区（市）科协" not in page
