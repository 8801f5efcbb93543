"""Browser journeys of the evaluation: the secretariat runs and publishes a round; a society contact on a phone sees
its score and the indicators it lost points on; the leader approves a commendation and the roll of honour shows it."""

from datetime import date

from django.utils import timezone

YEAR = timezone.localdate().year - 1


def _data():
    from projects.models import ActivityOutcome
    from societies.models import Society
    from tests import factories

    own = Society.objects.get(name="市老科协")
    other = factories.society("市医学会")
    for society, count in ((own, 1), (other, 3)):
        project = factories.project(society=society, year=YEAR, due_start=date(YEAR, 5, 1), due_end=date(YEAR, 5, 31))
        for _number in range(count):
            ActivityOutcome.objects.create(project=project, held_on=date(YEAR, 5, 10), title="活动",
                                           review="confirmed", participants=50)
    return own, other


def test_secretariat_runs_and_publishes_a_round_and_the_society_sees_its_score(open_page, demo):
    _data()
    page = open_page()
    page.login("secretariat", demo)
    page.goto("/evaluation/")
    page.page.fill("input[name=year]", str(YEAR))
    page.submit("text=新建评价轮次 >> nth=-1")
    main = page.page.inner_text("main")
    assert "市老科协" in main and "市医学会" in main and "草稿" in main
    page.page.select_option("select[name=unit]", label="市医学会")
    page.page.fill("input[name=points]", "8")
    page.page.fill("textarea[name=comment]", "协同联动成效突出")
    page.submit("text=保存评分")
    assert "评分已保存" in page.page.inner_text("main")
    page.submit("text=公布并冻结本轮评价")
    assert "已公布并冻结" in page.page.inner_text("main")

    phone = open_page(viewport={"width": 390, "height": 844}, allow_statuses=(404,))
    phone.login("society", demo)
    phone.goto("/evaluation/")
    phone.submit("#rounds a")
    main = phone.page.inner_text("main")
    assert "市老科协" in main and "市医学会" not in main
    phone.submit(".evaluation-scores a")
    main = phone.page.inner_text("main")
    assert "失分指标" in main and "开展特色活动（场次）" in main and "排名" in main


def test_leader_approves_a_commendation_and_the_roll_of_honour_shows_it(open_page, demo):
    from evaluation.commendation import advance, nominate
    from societies.choices import Role
    from societies.models import Society
    from tests import factories

    secretariat = factories.user(Role.SECRETARIAT)
    item = nominate(user=secretariat, year=YEAR, nominee_kind="unit", society=Society.objects.get(name="市老科协"),
                    reasons="组织老专家滕州行活动成效显著")
    advance(item, step="reviewed", user=secretariat)
    page = open_page()
    page.login("leader", demo)
    page.goto("/evaluation/commendations/{}/".format(item.pk))
    page.submit("button[value=approved]")
    assert "领导审定" in page.page.inner_text("main")
    advance(item, step="published", user=secretariat)
    page.goto("/evaluation/honour/")
    assert "市老科协" in page.page.inner_text("main") and "组织老专家滕州行活动成效显著" in page.page.inner_text("main")
