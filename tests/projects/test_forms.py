"""Forms that forgive: a summary of what to change at the top with links to the fields, every typed value kept;
the task force form saves past the blank rows it pre-filled; check boxes sit inside their labels."""

import re

import pytest
from django.urls import reverse

from projects.choices import ProjectStatus
from projects.models import Project, TaskForce
from tests import factories

from .test_pages import project_fields

pytestmark = pytest.mark.django_db


def test_failed_form_shows_a_summary_with_links_to_the_fields_and_keeps_the_values(client, world):
    client.force_login(world["secretariat"])
    response = client.post(reverse("projects:create"), project_fields(world, year="abc", title="", contact="王五"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "有 2 处需要修改" in body
    summary = body[body.index('class="error-summary"'):body.index("</div>", body.index('class="error-summary"'))]
    assert re.findall(r'href="#(id_\w+)"', summary) == ["id_year", "id_title"]
    assert 'id="id_year"' in body and 'id="id_title"' in body
    assert 'value="王五"' in body and 'value="abc"' in body  # what was typed is kept
    assert not Project.objects.filter(contact="王五").exists()


def test_valid_form_page_has_no_summary(client, world):
    client.force_login(world["secretariat"])
    assert "error-summary" not in client.get(reverse("projects:create")).content.decode()


def test_task_force_saves_past_the_blank_rows_it_prefilled(client, world):
    project = world["a"]
    factories.partner("中材锂膜")
    client.force_login(world["society1"])
    url = reverse("projects:task_force", args=[project.pk])
    page = client.get(url)
    formset = page.context["formset"]
    data = {"leader": "王会长", "goal": "服务企业", "measures": "走访",
            "members-TOTAL_FORMS": str(formset.total_form_count()),
            "members-INITIAL_FORMS": str(formset.initial_form_count()),
            "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "50"}
    for index, form in enumerate(formset):  # post the page as shown: pre-filled unit names, no person
        data["members-{}-unit_name".format(index)] = form.initial.get("unit_name", "")
    assert formset.initial_form_count() == 1 and data["members-0-unit_name"] == "滕州市科协"
    response = client.post(url, data)
    assert response.status_code == 302
    task_force = TaskForce.objects.get(project=project)
    assert (task_force.leader, task_force.members.count()) == ("王会长", 0)


def test_task_force_still_checks_a_row_the_user_filled_in(client, world):
    client.force_login(world["society1"])
    url = reverse("projects:task_force", args=[world["a"].pk])
    data = {"leader": "王会长", "goal": "", "measures": "", "members-TOTAL_FORMS": "3", "members-INITIAL_FORMS": "1",
            "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "50",
            "members-0-unit_name": "滕州市科协", "members-0-person": "李四",
            "members-1-unit_name": "", "members-1-person": "", "members-1-duty": "组织协调"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "有 2 处需要修改" in response.content.decode()  # row 2: a duty without unit and person
    assert not TaskForce.objects.filter(project=world["a"]).exists()
    data.update({"members-1-unit_name": "中材锂膜", "members-1-person": "赵六"})
    assert client.post(url, data).status_code == 302
    members = TaskForce.objects.get(project=world["a"]).members.all()
    assert [(m.unit_name, m.person) for m in members] == [("滕州市科协", "李四"), ("中材锂膜", "赵六")]


def test_each_check_box_is_inside_its_own_label(client, world):
    factories.district("薛城区科协")
    client.force_login(world["secretariat"])
    body = client.get(reverse("projects:edit", args=[world["a"].pk])).content.decode()
    boxes = re.findall(r'<label for="(id_districts_\d+)"><input type="checkbox" name="districts" value="\d+" '
                       r'id="(id_districts_\d+)"[^>]*>\s*([^<]+)</label>', body)
    assert len(boxes) == 3 and all(label_for == box_id for label_for, box_id, _name in boxes)
    assert {name.strip() for _for, _id, name in boxes} == {"滕州市科协", "市中区科协", "薛城区科协"}
    assert ProjectStatus.PLANNED  # the statuses stay a select, not boxes
