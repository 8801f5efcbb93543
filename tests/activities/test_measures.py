"""The plan's 16 measures as data: loaded from the fixture (and by ``setup_portal``), tagged on projects, own
activities and campaigns, counted per measure ("按举措") on the dashboard with a drill-down."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities.measures import load_measures, measure_table
from activities.models import Campaign, Measure, OwnActivity
from projects.choices import ReviewStatus
from projects.models import ActivityOutcome
from sanlian.access import SYSTEM
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_sixteen_measures_load_once_and_keep_edits():
    assert load_measures() == 16
    nine = Measure.objects.get(number=9)
    assert (nine.short_name, nine.lead_unit) == ("联席会议", "市科协") and "每半年" in nine.text
    nine.short_name = "联席会议（改）"
    nine.save()
    assert load_measures() == 0 and Measure.objects.get(number=9).short_name == "联席会议（改）"


def test_setup_portal_loads_the_measures(capsys):
    call_command("setup_portal")
    assert Measure.objects.count() == 16


def test_tagging_and_the_per_measure_table(client, world):
    load_measures()
    m4, m9 = Measure.objects.get(number=4), Measure.objects.get(number=9)
    project = factories.project(society=world["s1"], districts=[world["d1"]], year=TODAY.year)
    m4.projects.add(project)
    ActivityOutcome.objects.create(project=project, held_on=TODAY, title="安全科技知识竞赛",
                                   review=ReviewStatus.CONFIRMED)
    ActivityOutcome.objects.create(project=project, held_on=TODAY, title="待确认成效")
    client.force_login(world["district1"])
    data = {"title": "节能科技知识科普宣传", "kind": "popularisation", "held_on": TODAY.isoformat(),
            "participants": "50", "expert_person_times": "0", "served_count": "0", "measures": [m4.pk]}
    assert client.post(reverse("activities:create"), data).status_code == 302
    activity = OwnActivity.objects.get()
    assert list(activity.measures.all()) == [m4]
    campaign_form = {"title": "全国科普月", "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat(),
                     "sessions": "3", "participants": "30", "towns": "1", "schools": "0", "publicity": "0",
                     "measures": [m4.pk, m9.pk], "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}
    assert client.post(reverse("activities:campaign_create"), campaign_form).status_code == 302
    assert set(Campaign.objects.get().measures.all()) == {m4, m9}
    # unconfirmed activity does not count yet
    rows = {row["measure"].number: row for row in measure_table(SYSTEM, year=TODAY.year)}
    assert (rows[4]["projects"], rows[4]["activities"], rows[4]["outcomes"], rows[4]["campaigns"]) == (1, 0, 1, 1)
    OwnActivity.objects.update(review=ReviewStatus.CONFIRMED)
    client.force_login(world["leader"])
    dashboard = client.get(reverse("reports:dashboard"))
    rows = {row["measure"].number: row for row in dashboard.context["measures"]}
    assert (rows[4]["activities"], rows[4]["last"], rows[9]["campaigns"], rows[1]["projects"]) == (1, TODAY, 1, 0)
    assert "按举措" in dashboard.content.decode()
    detail = client.get(reverse("activities:measure", args=[m4.pk]), {"year": str(TODAY.year)})
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "节能科技知识科普宣传" in html and "安全科技知识竞赛" in html and "待确认成效" not in html
    # a district sees its own slice; an outsider gets 404
    client.force_login(world["district2"])
    rows = {row["measure"].number: row for row in client.get(reverse("activities:measures")).context["measures"]}
    assert (rows[4]["activities"], rows[4]["campaigns"], rows[4]["projects"]) == (0, 0, 0)
    client.force_login(world["nobody"])
    assert client.get(reverse("activities:measures")).status_code == 404
    assert client.get(reverse("activities:measure", args=[m4.pk])).status_code == 404


def test_measure_with_an_unknown_year_falls_back(client, world):
    load_measures()
    client.force_login(world["secretariat"])
    assert client.get(reverse("activities:measures"), {"year": "99999"}).status_code == 200
    assert client.get(reverse("activities:measure", args=[999])).status_code == 404
