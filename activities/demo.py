"""Demo own activities, campaigns, venues and measure tags for ``seed_demo`` (rows marked 【演示】, replaced on
each run; the same for the same random generator)."""

import random
from datetime import date, timedelta

from django.utils import timezone

from projects.choices import ReviewStatus

from .measures import load_measures
from .models import Campaign, CampaignLine, Measure, OwnActivity, RosterMember, Venue, VenueKind
from .people import default_programme

MARK = "【演示】"
TOWNS = ("光明路街道", "垎塔埠街道", "永安镇", "税郭镇", "孟庄镇", "西王庄镇", "齐村镇", "文化路街道", "龙山路街道",
         "中心街街道", "矿区街道")
VENUES = (("社区科普馆", "community_venue"), ("校园科技馆", "school_venue"), ("专业科普馆", "professional_venue"),
          ("企业科协", "enterprise_association"), ("协同创新基地", "innovation_base"))
TITLES = ("田间课堂", "社区科普馆主题展览", "专家企业行", "青少年农业科普讲座", "科技工作者座谈", "健康科普义诊")


def seed_activities(rng, *, year: int, span: int, districts, projects, firms=(), uppers=()) -> dict:
    """Venues, own activities (some at a venue, most confirmed; some naming the enterprises they served and the
    upper-level units that took part, from ``firms`` and ``uppers``), one 科普月 campaign with per-town lines per
    district, and measure tags on projects, activities and campaigns."""
    OwnActivity.objects.filter(title__startswith=MARK).delete()
    Campaign.objects.filter(title__startswith=MARK).delete()
    Venue.objects.filter(name__startswith=MARK).delete()
    load_measures()
    measures = list(Measure.objects.all())
    kinds = {kind.code: kind for kind in VenueKind.objects.all()}
    districts = [district for district in districts if not district.is_city]
    day = lambda: date(year, 1, 1) + timedelta(days=rng.randrange(span))  # noqa: E731
    venues = Venue.objects.bulk_create([
        Venue(name="{}{}{}".format(MARK, district.name.replace("科协", ""), name), kind=kinds[code],
              district=district, founded_on=day() if rng.random() < 0.4 else date(year - 2, 6, 1))
        for district in districts for name, code in VENUES if code in kinds and rng.random() < 0.7])
    activities = OwnActivity.objects.bulk_create([
        OwnActivity(title="{}{}".format(MARK, rng.choice(TITLES)), district=district, held_on=day(),
                    kind=rng.choice(("popularisation", "popularisation", "innovation", "service", "training")),
                    town=rng.choice(TOWNS), participants=rng.randint(30, 500), expert_person_times=rng.randint(0, 4),
                    served_count=rng.randint(0, 2),
                    venue=rng.choice([venue for venue in venues if venue.district_id == district.pk] or [None]),
                    review=rng.choice((ReviewStatus.CONFIRMED,) * 3 + (ReviewStatus.PENDING,)))
        for district in districts for _number in range(rng.randint(2, 6))])
    link_served(activities, firms=list(firms), uppers=list(uppers))
    campaigns, lines = [], []
    for district in districts:
        campaign = Campaign.objects.create(title="{}全国科普月".format(MARK), district=district,
                                           starts_on=date(year, 9, 1), ends_on=date(year, 9, 30),
                                           scope="全区镇街、中小学校")
        towns = rng.sample(TOWNS, rng.randint(3, 8))
        rows = [CampaignLine(campaign=campaign, town=town, sessions=rng.randint(10, 150),
                             participants=rng.randint(500, 20000), schools=rng.randint(1, 10),
                             publicity=rng.randint(5, 100)) for town in towns]
        for name in ("sessions", "participants", "schools", "publicity"):
            setattr(campaign, name, sum(getattr(row, name) for row in rows))
        campaign.towns = len(rows)
        campaign.save()
        campaigns.append(campaign)
        lines += rows
    CampaignLine.objects.bulk_create(lines)
    if measures:
        for item in list(projects) + activities + campaigns:
            item.measures.add(*rng.sample(measures, rng.randint(1, 2)))
    seed_roster(year=year, districts=districts)
    return {"venues": len(venues), "activities": len(activities), "campaigns": len(campaigns)}


def link_served(activities, *, firms, uppers) -> None:
    """About a third of the demo activities name one or two enterprises served, a fifth an upper-level unit (their
    own generator, so the other demo rows stay as they were): T3-served and T3-upper-units count them."""
    rng = random.Random(len(activities))
    partners, units = OwnActivity.partners.through, OwnActivity.upper_units.through
    partners.objects.bulk_create([
        partners(ownactivity_id=activity.pk, partner_id=firm.pk) for activity in activities
        if firms and rng.random() < 0.35 for firm in rng.sample(firms, min(len(firms), rng.randint(1, 2)))])
    units.objects.bulk_create([units(ownactivity_id=activity.pk, upperunit_id=rng.choice(uppers).pk)
                               for activity in activities if uppers and rng.random() < 0.2])


SURNAMES = "王李张刘陈杨赵黄周吴"
SCHOOLS = ("实验小学", "第一中学", "第二实验小学", "育才中学", "青少年科技活动中心")


def seed_roster(*, year: int, districts) -> int:
    """A few 科技辅导员 per district (their own generator, so the other demo rows stay as they were)."""
    rng = random.Random(year)
    RosterMember.objects.filter(name__startswith=MARK).delete()
    programme = default_programme()
    members = RosterMember.objects.bulk_create([
        RosterMember(programme=programme, name="{}{}老师".format(MARK, rng.choice(SURNAMES)), district=district,
                     unit="{}{}".format(district.name.replace("科协", ""), rng.choice(SCHOOLS)),
                     certified_on=min(date(year - rng.randint(0, 2), rng.randint(1, 12), 1), timezone.localdate()),
                     trainings=rng.randint(0, 5))
        for district in districts for _number in range(rng.randint(2, 8))])
    return len(members)
