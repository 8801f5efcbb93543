"""Demo needs, experts and matches (called by ``reports.demo.seed_demo``): the same for the same seed."""

import random
from datetime import date, timedelta

from societies.models import District, Expert, Industry, Partner, Society

from .choices import NeedKind, NeedStatus
from .models import Need, NeedMatch, NeedVisit

DEMO_MARK = "【演示】"
DEMO_EXPERTS = (
    ("王建新", "枣庄学院", "锂电池隔膜材料、涂覆工艺", "新材料"), ("刘志强", "山东理工大学", "数控机床精度检测、伺服控制", "高端装备"),
    ("陈立华", "中国科学院化学所", "高分子材料改性、催化剂", "高端化工"), ("赵敏", "山东省农科院", "石榴栽培、果树病虫害防治", "现代农业"),
    ("孙浩", "枣庄学院", "锂离子电池电解液、储能系统", "新能源（锂电）"), ("周静", "山东大学", "机器视觉缺陷检测、工业软件", "高端装备"),
    ("吴刚", "齐鲁工业大学", "煤化工废水处理、环保工艺", "高端化工"), ("郑丽", "枣庄市立医院", "中药制剂、药品质量检测", "医养健康"),
)
DEMO_NEEDS = (
    ("隔膜涂层不均匀", "湿法隔膜涂覆后出现条纹，需改进涂覆工艺"), ("机床定位精度下降", "数控机床长期运行后精度下降，需检测补偿"),
    ("废水COD偏高", "煤化工废水处理达标困难"), ("石榴裂果", "石榴园裂果和病虫害多发"), ("电解液低温性能差", "低温下电池容量衰减"),
    ("表面缺陷人工检测效率低", "希望用机器视觉检测表面缺陷"), ("改性材料韧性不足", "高分子材料改性后韧性不足"),
    ("中药制剂稳定性", "中药制剂储存期内质量波动"),
)


def seed_needs(*, rng: random.Random, year: int, last_day: date, firms: list[Partner], districts: list[District],
               societies: list[Society]) -> dict:
    """Experts (by name + unit, kept), and 【演示】 needs replaced: collected, matched, visited, solved."""
    industries = {industry.name: industry for industry in Industry.objects.all()}
    experts = []
    for index, (name, unit, fields, industry) in enumerate(DEMO_EXPERTS):
        expert = Expert.objects.filter(name=name, organisation=unit).first() or Expert(name=name, organisation=unit)
        expert.field, expert.society = fields, societies[index % len(societies)]
        expert.save()
        if industry in industries:
            expert.industries.add(industries[industry])
        experts.append(expert)
    Need.objects.filter(title__startswith=DEMO_MARK).delete()
    span = max((last_day - date(year, 1, 1)).days, 1)
    needs = visits = 0
    for index in range(len(DEMO_NEEDS) * 3):
        title, text = DEMO_NEEDS[index % len(DEMO_NEEDS)]
        expert = experts[index % len(DEMO_NEEDS)]
        collected = date(year, 1, 1) + timedelta(days=rng.randrange(span))
        district = rng.choice(districts)
        need = Need.objects.create(
            partner=firms[index % len(firms)], district=district, collected_by_district=district,
            industry=expert.industries.first(), kind=NeedKind.RESEARCH,
            title="{}{}（{}）".format(DEMO_MARK, title, index + 1),
            description=text, collected_on=collected, contact_name="演示联系人")
        needs += 1
        stage = rng.choice((0, 1, 2, 3, 3))
        if stage == 0:
            continue
        matched = min(collected + timedelta(days=rng.randint(1, 15)), last_day)
        NeedMatch.objects.create(need=need, expert=expert, assigned_on=matched)
        need.status, need.matched_on = NeedStatus.MATCHED, matched
        if stage >= 2:
            held = min(matched + timedelta(days=rng.randint(1, 20)), last_day)
            visit = NeedVisit.objects.create(need=need, held_on=held, person_times=1, notes="现场技术指导")
            visit.experts.add(expert)
            visits += 1
            need.status, need.visited_on = NeedStatus.VISITED, held
        if stage == 3:
            need.status, need.closed_on = NeedStatus.SOLVED, min(need.visited_on + timedelta(days=10), last_day)
            need.satisfaction = rng.randint(4, 5)
        need.save()
    return {"needs": needs, "experts": len(experts), "visits": visits}
