"""The back-office lists of projects, progress updates and outcomes filter by a date range (sanlian.admin.
DateRangeFilter): both ends inclusive, either optional, other filters kept; a bad date is never a 500."""

from datetime import date

import pytest

from projects.models import ActivityOutcome, ProgressUpdate, Project
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = factories.user(Role.SECRETARIAT, username="range-secretariat")
    user.is_superuser = True
    user.save()
    client.force_login(user)
    client.user = user
    return client


def _listed(response) -> set:
    return {obj.pk for obj in response.context["cl"].result_list}


def test_outcomes_between_two_dates_inclusive(admin_client):
    project = factories.project()
    days = [date(2024, 3, 1), date(2024, 3, 15), date(2024, 3, 31), date(2024, 4, 1)]
    outcomes = [ActivityOutcome.objects.create(project=project, title="活动{}".format(i), held_on=day)
                for i, day in enumerate(days)]
    response = admin_client.get("/admin/projects/activityoutcome/",
                                {"held_on__gte": "2024-03-01", "held_on__lte": "2024-03-31"})
    assert response.status_code == 200
    assert _listed(response) == {o.pk for o in outcomes[:3]}
    only_from = admin_client.get("/admin/projects/activityoutcome/", {"held_on__gte": "2024-03-15"})
    assert _listed(only_from) == {o.pk for o in outcomes[1:]}
    page = only_from.content.decode()
    assert 'type="date" name="held_on__gte" value="2024-03-15"' in page and "<script" not in page.split(
        'class="date-range-filter"')[1].split("</form>")[0]


def test_projects_by_due_date_keep_the_other_filters(admin_client):
    early = factories.project(title="三月到期", due_end=date(2024, 3, 31), status="planned")
    factories.project(title="五月到期", due_end=date(2024, 5, 31), status="planned")
    factories.project(title="三月完成", due_end=date(2024, 3, 20), status="done")
    response = admin_client.get("/admin/projects/project/",
                                {"due_end__lte": "2024-04-01", "status__exact": "planned"})
    assert _listed(response) == {early.pk}
    page = response.content.decode()
    assert '<input type="hidden" name="status__exact" value="planned">' in page  # kept by the range form


def test_updates_by_date_and_by_posting_day(admin_client):
    project = factories.project()
    old = ProgressUpdate.objects.create(project=project, author=admin_client.user, text="旧", happened_on=date(2024, 1, 5))
    new = ProgressUpdate.objects.create(project=project, author=admin_client.user, text="新", happened_on=date(2024, 6, 5))
    assert _listed(admin_client.get("/admin/projects/progressupdate/", {"happened_on__gte": "2024-06-01"})) == {new.pk}
    today = date.today().isoformat()
    assert _listed(admin_client.get("/admin/projects/progressupdate/",
                                    {"created_at__gte": today, "created_at__lte": today})) == {old.pk, new.pk}


@pytest.mark.parametrize("value", ["²", "2024-13-01", "0001-01-01", "9999-12-31", "2024-03-01\x00", "-1",
                                   "99999999999999999999", "2024-3-1"])
def test_a_bad_date_is_refused_without_a_500(admin_client, value):
    response = admin_client.get("/admin/projects/activityoutcome/", {"held_on__gte": value})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response["Location"]  # the admin's "incorrect lookup" answer
