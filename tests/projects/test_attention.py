"""Attention where it is due: a delay needs its reason and new date (and tells the secretariat), a society is told
of a project created for it or moved to it — through the HTTP client."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from projects.choices import ProjectStatus, ReminderKind
from projects.models import Notification, Project
from projects.reminders import local_today, send_reminders
from projects.services import change_status
from tests import factories

from .conftest import reminded_project
from .test_pages import project_fields

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("form", [
    {"status": "delayed"},
    {"status": "delayed", "delay_reason": "场地未落实"},
    {"status": "delayed", "delayed_to": "2099-09-30"},
    {"status": "delayed", "delay_reason": "  ", "delayed_to": "2099-09-30"},
])
def test_delay_without_reason_or_date_is_refused_in_chinese(client, people, form):
    project = reminded_project(people, due_end=date(2024, 5, 31))
    client.force_login(people["alice"])
    response = client.post(reverse("projects:status", args=[project.pk]), form)
    assert response.status_code == 400
    assert "选择“延期”时，请填写延期原因和新的完成日期。" in response.content.decode()
    project.refresh_from_db()
    assert (project.status, project.delayed_to) == (ProjectStatus.PLANNED, None)
    assert not Notification.objects.exists()


def test_delay_to_a_past_date_is_refused(client, people):
    project = reminded_project(people, due_end=date(2024, 5, 31))
    client.force_login(people["alice"])
    response = client.post(reverse("projects:status", args=[project.pk]), {
        "status": "delayed", "delay_reason": "场地未落实", "delayed_to": "2001-01-01"})
    assert response.status_code == 400 and "新的完成日期不能早于今天。" in response.content.decode()


def test_delay_shows_the_new_date_moves_reminders_and_tells_the_secretariat(client, people):
    project = reminded_project(people, due_end=date(2024, 5, 31), title="科普进社区")
    new_date = local_today() + timedelta(days=30)
    client.force_login(people["alice"])
    response = client.post(reverse("projects:status", args=[project.pk]), {
        "status": "delayed", "delay_reason": "场地未落实", "delayed_to": new_date.isoformat()}, follow=True)
    html = response.content.decode()
    assert "延期至 {}".format(new_date.isoformat()) in html and "场地未落实" in html
    project.refresh_from_db()
    assert (project.status, project.delayed_to, project.due_end) == (ProjectStatus.DELAYED, new_date, new_date)
    [note] = Notification.objects.filter(kind="project_delayed")
    assert (note.recipient, note.title) == (people["secretariat"], "已延期至{}：科普进社区".format(new_date.isoformat()))
    assert "场地未落实" in note.body and "alice" in note.body
    # the same delay again tells nobody twice
    change_status(project, user=people["alice"], status="delayed", delay_reason="场地未落实", delayed_to=new_date)
    assert Notification.objects.filter(kind="project_delayed").count() == 1
    # reminders follow the new date: not overdue today, due in 7 days a week before it
    assert send_reminders(today=local_today())["overdue"] == 0
    send_reminders(today=new_date - timedelta(days=7))
    assert Notification.objects.filter(kind=ReminderKind.DUE_SOON).exists()
    assert "延期至 {}".format(new_date.isoformat()) in client.get(reverse("projects:mine")).content.decode()


def test_editing_a_delayed_project_keeps_the_new_date(client, world):
    project = world["a"]
    change_status(project, user=world["society1"], status="delayed", delay_reason="原因", delayed_to=date(2099, 1, 1))
    client.force_login(world["secretariat"])
    fields = project_fields(world, title="项目A", status="delayed")
    assert client.post(reverse("projects:edit", args=[project.pk]), fields).status_code == 302
    assert Project.objects.get(pk=project.pk).due_end == date(2099, 1, 1)


def test_society_contacts_are_told_of_a_new_project_and_of_one_moved_to_them(client, world):
    client.force_login(world["secretariat"])
    client.post(reverse("projects:create"), project_fields(world, title="新项目"))
    project = Project.objects.get(title="新项目")
    told = Notification.objects.filter(kind="project_assigned")
    assert sorted(n.recipient.username for n in told) == sorted(
        [world["society1"].username, world["society1_colleague"].username])
    assert told.first().title == "市老科协新增项目：新项目" and told.first().url == project.get_absolute_url()
    fields = project_fields(world, title="新项目", society=str(world["b"].society.pk))
    assert client.post(reverse("projects:edit", args=[project.pk]), fields).status_code == 302
    assert [n.recipient for n in Notification.objects.filter(kind="project_assigned", title__startswith="市医学会")] == [
        world["society2"]]
    client.post(reverse("projects:edit", args=[project.pk]), dict(fields, remarks="只改备注"))
    assert Notification.objects.filter(kind="project_assigned").count() == 3


def test_outsider_cannot_delay_another_societys_project(client, people):
    theirs = factories.project(society=people["outsider"].profile.society)
    client.force_login(people["alice"])
    response = client.post(reverse("projects:status", args=[theirs.pk]), {
        "status": "delayed", "delay_reason": "x", "delayed_to": "2099-01-01"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ProjectStatus.PLANNED
