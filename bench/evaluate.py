#!/usr/bin/env python
"""Benchmark of the evaluation: ``python bench/evaluate.py [--units 200] [--projects 5000] [--runs 5]``.

On a throwaway SQLite database (or ``--database-url``), seeds ``seed_demo`` with ``--projects`` projects, adds
municipal societies until societies and district associations make ``--units`` units, spreads the projects over
them, then times the default scheme's computation for the year against the dashboard's cold computation (its
cache cleared) in the same run, and counts the evaluation's queries at a small size and at this size (they must
be the same: no query per unit). Prints the figures, JSON last. Not part of the test suite.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sanlian-bench-"))
    os.environ["DATABASE_URL"] = args.database_url or "sqlite:///{}".format(tmp / "bench.sqlite3")
    os.environ["VAR_DIR"] = str(tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanlian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from evaluation.scoring import compute, default_round
    from projects.models import Project
    from reports.dashboard import dashboard_numbers
    from reports.demo import seed_demo
    from sanlian.access import SYSTEM
    from societies.models import District, Society

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    year = today.year

    def evaluation() -> tuple[float, int, int]:
        round_, indicators = default_round(year=year)
        with CaptureQueriesContext(connection) as captured:
            scores = compute(round_, indicators=indicators, marks=[])
        samples = []
        for _run in range(args.runs):
            start = time.perf_counter()
            compute(round_, indicators=indicators, marks=[])
            samples.append((time.perf_counter() - start) * 1000)
        return statistics.median(samples), len(captured), len(scores)

    def dashboard() -> float:
        samples = []
        for _run in range(args.runs):
            cache.clear()
            start = time.perf_counter()
            dashboard_numbers(year=year, as_of=today, user=SYSTEM, include_unconfirmed=False)
            samples.append((time.perf_counter() - start) * 1000)
        return statistics.median(samples)

    seed_demo(projects=50, seed=1, force=True)
    small_ms, small_queries, small_units = evaluation()
    seed_demo(projects=args.projects, seed=1, force=True)
    districts = District.objects.filter(is_city=False).count()
    for number in range(max(args.units - districts - Society.objects.filter(is_active=True).count(), 0)):
        Society.objects.create(name="市基准学会{}".format(number + 1))
    societies = list(Society.objects.filter(is_active=True).values_list("pk", flat=True))
    ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    for index, society in enumerate(societies):
        Project.objects.filter(pk__in=ids[index::len(societies)]).update(society=society)
    large_ms, large_queries, large_units = evaluation()
    cold_ms = dashboard()
    figures = {"units_small": small_units, "queries_small": small_queries, "p50_ms_small": round(small_ms, 1),
               "units": large_units, "projects": args.projects, "queries": large_queries,
               "p50_ms_evaluate": round(large_ms, 1), "p50_ms_dashboard_cold": round(cold_ms, 1),
               "ratio_to_dashboard_cold": round(large_ms / cold_ms, 2)}
    print("evaluation of {units} units over {projects} projects: p50 {p50_ms_evaluate} ms, {queries} queries "
          "({queries_small} at {units_small} units); dashboard cold p50 {p50_ms_dashboard_cold} ms; ratio "
          "{ratio_to_dashboard_cold}".format(**figures))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
