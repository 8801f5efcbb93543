"""Demo data: a realistic year of societies, projects, outcomes, records and a meeting, the same for the same seed
(``manage.py seed_demo``, the benchmarks). Marked 【演示】 and refused beside real projects unless forced."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from activities.demo import seed_activities
from meetings.choices import MeetingStatus
from meetings.models import JointMeeting
from needs.demo import seed_needs
from projects.choices import ProjectStatus, ReviewStatus
from projects.models import ActivityOutcome, Project, ProjectDistrict, ProjectPartner, ProjectUpperUnit
from sanlian.db import analyze
from societies.models import District, Industry, Partner, Society, UpperUnit
from societies.services import ensure_demo_accounts, load_reference_data

from .choices import RecordKind
from .dashboard import invalidate_dashboard
from .models import OrganisationRecord
from .targets import load_targets

DEMO_MARK = "【演示】"
DEMO_SOCIETIES = ("市老科协", "市医学会", "市农学会", "市机械工程学会", "市化工学会", "市计算机学会", "市土木建筑学会",
                  "市中医药学会", "市林学会", "市水利学会", "市电子学会", "市煤炭学会", "市护理学会", "市药学会",
                  "市生态学会", "市青少年科技教育协会")
DEMO_UPPER = (("中国老科协", "national"), ("中华医学会", "national"), ("中国机械工程学会", "national"),
              ("中国化工学会", "national"), ("中国农学会", "national"), ("山东省老科协", "provincial"),
              ("山东省医学会", "provincial"), ("山东省农学会", "provincial"), ("山东省化工学会", "provincial"),
              ("山东省计算机学会", "provincial"), ("山东省林学会", "provincial"), ("山东省水利学会", "provincial"),
              ("枣庄学院", "university"), ("中国科学院化学所", "institute"))
DEMO_FIRMS = ("中材锂膜", "山森数控", "鲁南制药", "联泓新材", "丰源轮胎", "瑞达新材料", "枣矿集团", "石榴研究院",
              "华宝牧业", "凯瑞电子", "金正大", "海特新材料")
DEMO_ACTIVITIES = ("科普大讲堂", "专家企业行", "技术对接会", "创新方法培训", "乡村振兴技术服务", "学术论坛", "义诊进社区",
                   "青少年科学营")


class RealDataPresent(Exception):
    """``seed_demo`` refuses to mix demo data into a portal holding real projects (unless forced)."""


@transaction.atomic
def seed_demo(*, projects: int = 60, seed: int = 1, year: int | None = None, force: bool = False,
              password: str = "sanlian-demo") -> dict:
    """Fill a realistic year of demo data — societies, units, ``projects`` projects, statuses, outcomes, records,
    one account per role — the same for the same seed. Earlier demo rows (marked 【演示】) are replaced; refuses
    (``RealDataPresent``) when real projects exist, unless ``force``."""
    if not force and Project.objects.exclude(title__startswith=DEMO_MARK).exists():
        raise RealDataPresent
    rng = random.Random(seed)
    today = timezone.localdate()
    year = year or today.year
    load_reference_data()
    load_targets()
    ensure_demo_accounts(password=password)
    Project.objects.filter(title__startswith=DEMO_MARK).delete()
    OrganisationRecord.objects.filter(title__startswith=DEMO_MARK).delete()
    societies = [Society.objects.get_or_create(name=name)[0] for name in DEMO_SOCIETIES]
    districts = list(District.objects.order_by("order", "pk"))
    uppers = [UpperUnit.objects.get_or_create(name=name, defaults={"level": level})[0] for name, level in DEMO_UPPER]
    firms = [Partner.objects.get_or_create(name=name)[0] for name in DEMO_FIRMS]
    industries = list(Industry.objects.all())
    last_day = min(today, date(year, 12, 31))
    span = max((last_day - date(year, 1, 1)).days, 1)
    statuses = [ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS, ProjectStatus.IN_PROGRESS, ProjectStatus.DONE,
                ProjectStatus.DONE, ProjectStatus.DELAYED, ProjectStatus.CANCELLED]
    created = Project.objects.bulk_create([
        Project(year=year, position=index + 1, society=societies[index % len(societies)],
                title="{}{}（{}）".format(DEMO_MARK, rng.choice(DEMO_ACTIVITIES), index + 1),
                title_key="demo-{}-{}".format(seed, index), due_text="{}月".format(month),
                due_start=date(year, month, 1), due_end=(date(year, month, 28) + timedelta(days=4)).replace(day=1)
                - timedelta(days=1), status=rng.choice(statuses), contact="演示联系人")
        for index, month in ((index, rng.randint(3, 12)) for index in range(projects))])
    ProjectDistrict.objects.bulk_create([ProjectDistrict(project=project, district=district, order=0)
                                         for project in created for district in [rng.choice(districts)]])
    ProjectUpperUnit.objects.bulk_create([ProjectUpperUnit(project=project, upper_unit=rng.choice(uppers), order=0)
                                          for project in created])
    ProjectPartner.objects.bulk_create([ProjectPartner(project=project, partner=rng.choice(firms), order=0)
                                        for project in created])
    outcomes = []
    for project in created:
        for _number in range(rng.choice((0, 1, 1, 2, 3))):
            outcomes.append(ActivityOutcome(
                project=project, held_on=date(year, 1, 1) + timedelta(days=rng.randrange(span)),
                title=project.title.replace(DEMO_MARK, ""), kind=rng.choice(("popularisation", "innovation", "training",
                                                                              "service", "forum")),
                place="枣庄", participants=rng.randint(20, 300), expert_person_times=rng.randint(0, 6),
                served_count=rng.randint(0, 3), review=rng.choice((ReviewStatus.CONFIRMED,) * 4 + (ReviewStatus.PENDING,))))
    ActivityOutcome.objects.bulk_create(outcomes)
    through_industries = ActivityOutcome.industries.through
    through_uppers = ActivityOutcome.upper_units.through
    through_industries.objects.bulk_create([
        through_industries(activityoutcome_id=outcome.pk, industry_id=rng.choice(industries).pk)
        for outcome in outcomes if industries and outcome.expert_person_times])
    through_uppers.objects.bulk_create([
        through_uppers(activityoutcome_id=outcome.pk, upperunit_id=rng.choice(uppers).pk)
        for outcome in outcomes if rng.random() < 0.4])
    plan = [(RecordKind.SOCIETY_FOUNDED, 2, "society"), (RecordKind.MEMBER_INTAKE, len(societies), "society"),
            (RecordKind.DISTRICT_ORG, 4, "district"), (RecordKind.BRAND_MUNICIPAL, 7, "society"),
            (RecordKind.BRAND_PROVINCIAL, 1, "society"), (RecordKind.MECHANISM, 2, None),
            (RecordKind.TRAINING, 3, None)]
    records = []
    for kind, number, owner in plan:
        for index in range(number):
            records.append(OrganisationRecord(
                kind=kind, happened_on=date(year, 1, 1) + timedelta(days=rng.randrange(span)),
                title="{}{}{}".format(DEMO_MARK, RecordKind(kind).label, index + 1),
                society=societies[index % len(societies)] if owner == "society" else None,
                district=districts[index % len(districts)] if owner == "district" else None,
                count=rng.randint(20, 120) if kind == RecordKind.MEMBER_INTAKE else 1,
                review=ReviewStatus.CONFIRMED))
    OrganisationRecord.objects.bulk_create(records)
    JointMeeting.objects.filter(place__startswith=DEMO_MARK).delete()
    JointMeeting.objects.create(half="{}H1".format(year), held_on=date(year, 3, 28), place=DEMO_MARK + "市科协会议室",
                                chair="市科协主席", status=MeetingStatus.HELD)
    needs = seed_needs(rng=rng, year=year, last_day=last_day, firms=firms, districts=districts, societies=societies)
    own = seed_activities(rng, year=year, span=span, districts=districts, projects=created, firms=firms,
                          uppers=uppers)
    transaction.on_commit(invalidate_dashboard)
    transaction.on_commit(analyze)  # thousands of rows written at once: the planner's statistics follow
    return {"year": year, "projects": len(created), "outcomes": len(outcomes), "records": len(records),
            "needs": needs["needs"], "experts": needs["experts"], **own}
