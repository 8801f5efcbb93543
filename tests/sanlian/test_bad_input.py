"""Inputs that used to answer 500: odd digits in ``year``, ids beyond the database's integer, far-off due years."""

import pytest
from django.urls import reverse

from projects.models import ActivityOutcome, Project
from societies.choices import Role
from societies.models import Industry
from tests import factories

pytestmark = pytest.mark.django_db

HUGE = str(2**63)  # one past the largest 64-bit integer
YEARS = ["²", "٣٠٢٤", "2024.0", "-1", "99999999999999999999999", "1", "9999", " 2024", "0x7e8"]


@pytest.fixture
def targets(db):
    from reports.targets import load_targets

    load_targets()


@pytest.fixture
def leader():
    return factories.user(Role.LEADER)


@pytest.fixture
def secretariat():
    return factories.user(Role.SECRETARIAT)


@pytest.mark.parametrize("value", YEARS)
def test_odd_year_parameters_never_answer_500(client, leader, targets, value):
    factories.project(year=2024)
    client.force_login(leader)
    for url in (reverse("projects:export"), reverse("reports:dashboard"), reverse("reports:dashboard_export"),
                reverse("reports:target", args=["T1-societies"]), reverse("projects:list")):
        response = client.get(url, {"year": value})
        assert response.status_code in (200, 400), (url, value, response.status_code)


def test_a_year_that_is_not_plain_digits_falls_back_to_this_year_with_a_message(client, leader, targets):
    from django.utils import timezone

    client.force_login(leader)
    page = client.get(reverse("reports:dashboard"), {"year": "²"}, follow=True)
    assert page.status_code == 200 and page.context["year"] == timezone.localdate().year
    assert "年份无效" in page.content.decode()
    assert client.get(reverse("reports:dashboard"), {"year": "2024"}).context["year"] == 2024


def _outcome_data(**overrides) -> dict:
    from django.utils import timezone

    data = {"held_on": timezone.localdate().isoformat(), "kind": "popularisation", "title": "科普进社区",
            "place": "市中区", "participants": "120", "expert_person_times": "4", "served_count": "2",
            "served_names": "", "news_link": "", "description": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("field", ["experts", "industries", "upper_units"])
@pytest.mark.parametrize("value", [HUGE, str(2**31), "-" + HUGE, "1e5", "²"])
def test_outcome_ids_out_of_range_are_refused_in_chinese(client, secretariat, field, value):
    project = factories.project()
    client.force_login(secretariat)
    response = client.post(reverse("projects:outcome_create", args=[project.pk]), _outcome_data(**{field: [value]}))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "有效" in " ".join(response.context["form"].errors[field])
    assert not ActivityOutcome.objects.exists()


@pytest.mark.parametrize("field", ["districts", "upper_units", "partners", "society"])
def test_project_form_ids_out_of_range_are_refused(client, secretariat, field):
    client.force_login(secretariat)
    data = {"year": "2024", "society": factories.society().pk, "title": "新项目", "due_text": "5月", "contact": "",
            "remarks": "", "status": "planned", field: [HUGE]}
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 400 and response.context["form"].errors[field]
    assert not Project.objects.exists()


def test_expert_form_and_filter_with_ids_out_of_range(client, secretariat):
    client.force_login(secretariat)
    response = client.post(reverse("societies:create", args=["experts"]),
                           {"name": "张专家", "industries": [HUGE], "society": HUGE})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"industries", "society"}
    listing = client.get(reverse("societies:list", args=["experts"]), {"industries": HUGE, "society": HUGE})
    assert listing.status_code in (200, 400)
    listing = client.get(reverse("projects:list"), {"society": HUGE, "district": HUGE, "year": HUGE})
    assert listing.status_code in (200, 400)


def test_a_due_text_naming_year_9999_is_refused_and_leaves_the_calendar_feeds_whole(client, secretariat):
    from datetime import date

    from django.core.management import call_command

    from projects.models import CalendarFeed

    client.force_login(secretariat)
    society = factories.society()
    response = client.post(reverse("projects:create"), {"year": "2024", "society": society.pk, "title": "远期项目",
                                                        "due_text": "9999年12月", "status": "planned"})
    assert response.status_code == 400 and "2000" in " ".join(response.context["form"].errors["due_text"])
    # Stored by another path (an older row, the back office): the feed leaves out what it cannot write.
    factories.project(society=society, title="远期项目", due_text="9999年12月", due_start=date(9999, 12, 1),
                      due_end=date(9999, 12, 31))  # one day later is past what dates can hold
    factories.project(society=society, title="本年项目")
    client.get(reverse("projects:calendar"))
    feed = CalendarFeed.objects.get(user=secretariat)
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR") and text.rstrip().endswith("END:VCALENDAR")
    assert "本年项目" in text and "远期项目" not in text
    assert client.get(reverse("projects:list")).status_code == 200
    call_command("send_reminders", "--dry-run")


# --- dates within the portal's years ---------------------------------------------------------------------------------
DATE_MESSAGE = "请输入 2000 年至 2100 年之间的日期"


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31", "2101-01-01"])
def test_dates_outside_the_portals_years_are_refused_in_chinese(client, secretariat, day):
    from meetings.models import JointMeeting
    from projects.models import ProgressUpdate
    from reports.models import OrganisationRecord

    project = factories.project(society=factories.society())
    client.force_login(secretariat)
    posts = [
        (reverse("projects:outcome_create", args=[project.pk]), _outcome_data(held_on=day), "held_on"),
        (reverse("projects:update_post", args=[project.pk]), {"happened_on": day, "text": "进展"}, "happened_on"),
        (reverse("reports:record_create"), {"kind": "training", "happened_on": day, "title": "培训", "count": "1"},
         "happened_on"),
        (reverse("meetings:create"), {"half": "2025H1", "held_on": day, "place": "市科协"}, "held_on"),
    ]
    for url, data, field in posts:
        response = client.post(url, data)
        assert response.status_code == 400, url
        assert DATE_MESSAGE in " ".join(response.context["form"].errors[field]), url
    assert not (ActivityOutcome.objects.exists() or ProgressUpdate.objects.exists()
                or OrganisationRecord.objects.exists() or JointMeeting.objects.exists())


def test_a_project_year_outside_the_portals_years_is_refused(client, secretariat):
    client.force_login(secretariat)
    for year in ("1999", "9999", "32767"):
        response = client.post(reverse("projects:create"), {"year": year, "society": factories.society().pk,
                                                            "title": "新项目", "due_text": "5月", "status": "planned"})
        assert response.status_code == 400 and response.context["form"].errors["year"]
    assert not Project.objects.exists()


def test_a_society_founded_before_2000_is_fine_but_not_in_year_1(client, secretariat):
    from societies.models import Society

    client.force_login(secretariat)
    ok = client.post(reverse("societies:create", args=["societies"]), {"name": "市医学会", "founded_on": "1956-05-01",
                                                                         "is_active": "on"})
    assert ok.status_code == 302 and Society.objects.get(name="市医学会").founded_on.year == 1956
    bad = client.post(reverse("societies:create", args=["societies"]), {"name": "市古学会", "founded_on": "0001-01-01",
                                                                          "is_active": "on"})
    assert bad.status_code == 400 and "1900" in " ".join(bad.context["form"].errors["founded_on"])


def test_a_lone_carriage_return_cannot_start_a_new_calendar_line(client, secretariat):
    from projects.models import CalendarFeed

    factories.project(title="标题\rBEGIN:VEVENT\r\nX-EVIL:1\n尾", due_text="5月\r中旬")
    client.force_login(secretariat)
    client.get(reverse("projects:calendar"))
    text = client.get(CalendarFeed.objects.get(user=secretariat).get_absolute_url()).content.decode()
    lines = text.split("\r\n")
    assert all("\r" not in line and "\n" not in line for line in lines)
    assert not any(line.startswith("X-EVIL") for line in lines) and lines.count("BEGIN:VEVENT") == 1
    assert "标题\\nBEGIN:VEVENT\\nX-EVIL:1\\n尾" in "".join(line[1:] if line.startswith(" ") else line for line in lines)


def test_every_back_office_form_and_filter_survives_ids_out_of_range(client, secretariat):
    """The back office's select, autocomplete and many-to-many widgets render a refused id again: `__in` on an
    integer column leaves out what the column cannot hold (sanlian/db.py)."""
    from django.contrib import admin

    client.force_login(secretariat)
    tried = 0
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        names = [field.name for field in meta.many_to_many] + [field.name for field in meta.fields
                                                               if field.is_relation]
        add = reverse("admin:{}_{}_add".format(meta.app_label, meta.model_name))
        changelist = reverse("admin:{}_{}_changelist".format(meta.app_label, meta.model_name))
        for name in names:
            assert client.post(add, {name: [HUGE, "1"]}).status_code in (200, 403), (add, name)
            assert client.get(changelist, {name + "__id__exact": HUGE}).status_code in (200, 302, 403), (changelist, name)
            assert client.get(changelist, {name + "__id__in": HUGE + ",1"}).status_code in (200, 302, 403), (changelist, name)
            tried += 1
    assert tried >= 20
    assert Project.objects.filter(pk__in=[int(HUGE), -int(HUGE) * 2]).count() == 0


LIST_PAGES = ["/projects/", "/projects/mine/", "/projects/export.xlsx", "/projects/notifications/", "/reports/dashboard/",
              "/reports/dashboard.xlsx", "/reports/records/", "/reports/review/", "/reports/half-year/", "/meetings/",
              "/meetings/bulletins/", "/meetings/bulletins/feed.xml", "/organisations/experts/",
              "/organisations/societies/", "/organisations/contacts/", "/users/"]
PARAMETERS = ["q", "year", "page", "sort", "kind", "review", "status", "society", "district", "industries", "role",
              "overdue", "unconfirmed", "is_active", "level"]


@pytest.mark.parametrize("value", ["\x00", "检索\x00词", "²", HUGE, "-1", "x" * 3000])
def test_list_pages_answer_odd_query_strings_without_a_500(client, secretariat, value):
    factories.project()
    for user in (secretariat, factories.user(Role.LEADER)):
        client.force_login(user)
        for url in LIST_PAGES:
            response = client.get(url, {name: value for name in PARAMETERS})
            assert response.status_code < 500, (url, value)
            assert client.get(url, {"q": value}).status_code < 500, (url, value)
