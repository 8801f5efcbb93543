#!/usr/bin/env python
"""Benchmark of the needs: ``python bench/needs.py [--experts 2000] [--needs 10000] [--small 1000] [--runs 15]``.

On a throwaway SQLite database (migrated first; or ``--database-url``), makes a registry of ``--experts`` experts
and ``--needs`` needs (a share matched and visited), then times, as the secretariat, the expert suggestions for one
need (a view mounted for the run that returns them as JSON), the need's page (which shows them), and a trivial
logged-in view ("hello") as the baseline; and counts the queries of ``needs_report`` with ``--small`` needs and with
``--needs`` needs. Prints JSON last: {"p50_ms_suggest", "p50_ms_detail", "p50_ms_hello", "ratio_suggest_to_hello",
"ratio_detail_to_hello", "report_queries_small", "report_queries_large", "p50_ms_report"}. Not part of the tests.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ("锂电池隔膜", "涂覆工艺", "数控机床", "伺服控制", "精度检测", "高分子改性", "催化剂", "煤化工", "废水处理",
           "石榴栽培", "病虫害防治", "电解液", "储能系统", "机器视觉", "缺陷检测", "工业软件", "中药制剂", "质量检测",
           "新能源汽车", "光伏组件", "氢能", "碳纤维", "复合材料", "智能制造", "工业互联网", "大数据", "精密铸造",
           "热处理", "表面处理", "焊接工艺", "橡胶轮胎", "纺织印染", "食品加工", "冷链物流", "水泥建材", "玻璃纤维",
           "半导体封装", "芯片测试", "传感器", "物联网", "机器人", "数控编程", "模具设计", "节能降耗", "安全生产")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experts", type=int, default=2000)
    parser.add_argument("--needs", type=int, default=10000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sanlian-bench-"))
    os.environ["DATABASE_URL"] = args.database_url or "sqlite:///{}".format(tmp / "bench.sqlite3")
    os.environ["VAR_DIR"] = str(tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanlian.settings")
    os.environ["DEBUG"] = "1"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse, JsonResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches, path

    from needs.matching import suggest_experts
    from needs.models import Need, NeedMatch, NeedVisit
    from needs.report import needs_report
    from sanlian import urls
    from sanlian.access import SYSTEM
    from societies.choices import Role
    from societies.models import District, Expert, Industry, Partner, Society
    from societies.services import ensure_user, load_reference_data

    def suggest_view(request, pk):
        need = Need.objects.for_user(request.user).select_related("industry").get(pk=pk)
        return JsonResponse([item.as_json() for item in suggest_experts(need, user=request.user)], safe=False)

    urls.urlpatterns.append(path("bench-hello/", login_required(lambda request: HttpResponse("hello"))))
    urls.urlpatterns.append(path("bench-suggest/<int:pk>/", login_required(suggest_view)))
    clear_url_caches()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    load_reference_data()
    rng = random.Random(1)
    industries = list(Industry.objects.all())
    districts = list(District.objects.all())
    societies = [Society.objects.create(name="市测试学会{}".format(n)) for n in range(16)]
    experts = Expert.objects.bulk_create([
        Expert(name="专家{}".format(n), organisation="单位{}".format(n % 300), society=rng.choice(societies),
               field="、".join(rng.sample(PHRASES, 3)), key="专家{}|单位{}".format(n, n % 300))
        for n in range(args.experts)])
    through = Expert.industries.through
    through.objects.bulk_create([through(expert_id=e.pk, industry_id=rng.choice(industries).pk) for e in experts])
    partners = Partner.objects.bulk_create([Partner(name="企业{}".format(n), name_key="企业{}".format(n))
                                            for n in range(args.needs // 3)])
    sec, _created = ensure_user(username="bench-sec", role=Role.SECRETARIAT, password="bench-pass-2024")

    def make_needs(count: int, offset: int) -> None:
        rows = []
        for n in range(offset, offset + count):
            words = rng.sample(PHRASES, 2)
            collected = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
            stage = rng.choice(("collected", "matched", "visited", "solved"))
            rows.append(Need(partner=partners[n % len(partners)], district=rng.choice(districts),
                             industry=rng.choice(industries), title="{}需求{}".format(words[0], n),
                             title_key="{}需求{}".format(words[0], n), description="需要解决{}和{}问题".format(*words),
                             collected_on=collected, status=stage,
                             matched_on=collected + timedelta(days=3) if stage != "collected" else None,
                             closed_on=collected + timedelta(days=30) if stage == "solved" else None))
        made = Need.objects.bulk_create(rows, batch_size=2000)
        matched = [need for need in made if need.status != "collected"]
        NeedMatch.objects.bulk_create([NeedMatch(need=need, expert=rng.choice(experts), assigned_on=need.matched_on)
                                       for need in matched], batch_size=2000)
        visits = NeedVisit.objects.bulk_create([
            NeedVisit(need=need, held_on=need.matched_on + timedelta(days=5), person_times=1)
            for need in matched if need.status != "matched"], batch_size=2000)
        visit_experts = NeedVisit.experts.through
        visit_experts.objects.bulk_create([visit_experts(needvisit_id=v.pk, expert_id=rng.choice(experts).pk)
                                           for v in visits], batch_size=2000)

    figures = {}

    def report_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            needs_report(year=2026, user=SYSTEM)
        return len(captured)

    make_needs(args.small, 0)
    figures["report_queries_small"] = report_queries()
    make_needs(args.needs - args.small, args.small)
    figures["report_queries_large"] = report_queries()
    client = Client()
    client.force_login(sec)

    def timed(url: str) -> float:
        client.get(url)
        samples = []
        for _run in range(args.runs):
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            samples.append((time.perf_counter() - start) * 1000)
        return statistics.median(samples)

    need = Need.objects.filter(status="collected").order_by("pk").first()
    figures["p50_ms_suggest"] = round(timed("/bench-suggest/{}/".format(need.pk)), 2)
    figures["p50_ms_detail"] = round(timed("/needs/{}/".format(need.pk)), 2)
    figures["p50_ms_hello"] = round(timed("/bench-hello/"), 2)
    figures["ratio_suggest_to_hello"] = round(figures["p50_ms_suggest"] / figures["p50_ms_hello"], 2)
    figures["ratio_detail_to_hello"] = round(figures["p50_ms_detail"] / figures["p50_ms_hello"], 2)
    samples = []
    for _run in range(5):
        start = time.perf_counter()
        needs_report(year=2026, user=SYSTEM)
        samples.append((time.perf_counter() - start) * 1000)
    figures["p50_ms_report"] = round(statistics.median(samples), 2)
    print("{} experts, {} needs".format(args.experts, args.needs))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
