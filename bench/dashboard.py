#!/usr/bin/env python
"""Benchmark of the leadership dashboard: ``python bench/dashboard.py [--small 50] [--large 5000] [--runs 15]``.

On a throwaway SQLite database (migrated first; or ``--database-url``), seeds ``seed_demo`` with the small number of
projects, renders the dashboard and a drill-down as the leader ``--runs`` times, then seeds the large number and
does the same, warm (the numbers cached, as between two changes) and cold (cache cleared before each request: the
numbers computed in the database); a trivial logged-in view mounted for the run is the baseline ("hello").
Prints the figures, JSON last: {"queries_small", "queries_large", "p50_ms_small", "p50_ms_large", "p50_ms_hello",
"ratio_large_to_hello", and the same with "_cold"}. Not part of the test suite.
"""

import argparse
import json
import statistics
import sys
import time

from common import setup_django


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from reports.demo import seed_demo
    from societies.choices import Role
    from societies.services import ensure_user
    leader, _created = ensure_user(username="bench-leader", role=Role.LEADER, password="bench-pass-2024")
    client = Client()
    client.force_login(leader)

    def timed(url: str, *, cold: bool = False) -> tuple[float, int]:
        client.get(url)
        samples = []
        for _run in range(args.runs):
            if cold:
                cache.clear()
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            samples.append((time.perf_counter() - start) * 1000)
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return statistics.median(samples), len(captured)

    figures = {}
    for label, size in (("small", args.small), ("large", args.large)):
        seed_demo(projects=size, seed=1, force=True)
        p50, queries = timed("/reports/dashboard/")
        cold_p50, cold_queries = timed("/reports/dashboard/", cold=True)
        figures["queries_{}_cold".format(label)], figures["p50_ms_{}_cold".format(label)] = cold_queries, round(cold_p50, 2)
        drill_p50, drill_queries = timed("/reports/targets/T4-joint-activities/")
        figures["queries_" + label], figures["p50_ms_" + label] = queries, round(p50, 2)
        print("{} ({} projects): dashboard p50 {:.1f} ms, {} queries (cold cache: {:.1f} ms, {} queries); "
              "drill-down p50 {:.1f} ms, {} queries".format(label, size, p50, queries, cold_p50, cold_queries,
                                                             drill_p50, drill_queries))
    hello, _queries = timed("/bench-hello/")
    figures["p50_ms_hello"] = round(hello, 2)
    figures["ratio_large_to_hello"] = round(figures["p50_ms_large"] / hello, 2)
    figures["ratio_large_cold_to_hello"] = round(figures["p50_ms_large_cold"] / hello, 2)
    print("hello p50 {:.2f} ms".format(hello))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
