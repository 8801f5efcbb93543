#!/usr/bin/env python
"""Benchmark of the pages whose cost could grow with the data: ``python bench/pages.py [--small 50] [--large 5000]
[--runs 15] [--database-url URL]``.

On a throwaway SQLite database (migrated first; or ``--database-url``), seeds ``seed_demo`` with the small number
of projects (plus 100 notifications and one per ten projects for the society contact), renders each page as the
role that uses it ``--runs`` times, then seeds the large number and does the same:

- ``list``: the project list, as the leadership;
- ``mine``: "my projects", as the demo society contact (市老科协, a sixteenth of the projects);
- ``project``: a project's page, as that contact;
- ``notifications``: the notification centre, as that contact;
- ``dashboard``: the dashboard as the leadership with the cache cleared before each request (cold: computed);
- ``reminders``: the 催办 page (the weekly digest as of today), as the leadership.

A trivial logged-in view mounted for the run is the baseline ("hello"). Prints the figures per page, then the JSON
last: ``{"pages": {name: {"queries_small", "queries_large", "p50_ms_small", "p50_ms_large", "bytes_large"}},
"worst_ratio_large_to_small", "worst_ratio_to_hello"}`` (the worst ratios over the pages: p50 large / p50 small,
and p50 large / p50 of hello measured right after the large pages). ``--clock cpu`` times this process's CPU
instead of the wall clock, for a machine shared with other work. Goals: equal query counts, worst_ratio_large_to_small ≤ 1.5, every page ≤ 150 KB,
worst_ratio_to_hello ≤ 15. Not part of the test suite.
"""

import argparse
import json
import statistics
import sys
import time

from common import setup_django
NOTIFICATIONS = 100  # the contact's notifications: more than a page at either size, plus one per ten projects


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="cpu: this process's CPU time (steadier on a shared machine; SQLite runs in-process)")
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from projects.models import Notification, Project
    from reports.demo import seed_demo
    from societies.choices import Role
    from societies.services import ensure_user
    leader, _created = ensure_user(username="bench-leader", role=Role.LEADER, password="bench-pass-2024")
    clients = {"leader": Client(), "society": Client()}
    clients["leader"].force_login(leader)

    clock = time.process_time if args.clock == "cpu" else time.perf_counter

    def measure(client: Client, url: str, *, cold: bool = False) -> tuple[float, int, int]:
        """p50 in ms over the runs, queries and bytes of one more request."""
        client.get(url)
        samples = []
        for _run in range(args.runs):
            if cold:
                cache.clear()
            start = clock()
            response = client.get(url)
            samples.append((clock() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return statistics.median(samples), len(captured), len(response.content)

    pages: dict[str, dict] = {}
    for label, size in (("small", args.small), ("large", args.large)):
        seed_demo(projects=size, seed=1, force=True)
        contact = get_user_model().objects.get(username="society")
        clients["society"].force_login(contact)
        Notification.objects.filter(recipient=contact).delete()
        Notification.objects.bulk_create([
            Notification(recipient=contact, kind="bench", title="提醒 {}".format(number), body="项目进展需要更新。",
                         url="/projects/") for number in range(NOTIFICATIONS + size // 10)])
        project = Project.objects.filter(society__name="市老科协").order_by("position").first()
        urls_by_page = {
            "list": ("leader", "/projects/", False),
            "mine": ("society", "/projects/mine/", False),
            "project": ("society", project.get_absolute_url(), False),
            "notifications": ("society", "/projects/notifications/", False),
            "dashboard": ("leader", "/reports/dashboard/", True),
            "reminders": ("leader", "/projects/reminders/digest/", False),
        }
        for name, (who, url, cold) in urls_by_page.items():
            p50, queries, size_bytes = measure(clients[who], url, cold=cold)
            entry = pages.setdefault(name, {})
            entry["queries_" + label], entry["p50_ms_" + label] = queries, round(p50, 2)
            if label == "large":
                entry["bytes_large"] = size_bytes
            print("{:>13} {:>5} projects: p50 {:8.1f} ms, {:3} queries, {:8} bytes".format(
                name, size, p50, queries, size_bytes))
        # the baseline measured beside the pages it is compared with (the machine's load may change in between)
        hello, _queries, _bytes = measure(clients["leader"], "/bench-hello/")
        print("        hello {:>5} projects: p50 {:8.2f} ms".format(size, hello))
    worst_growth = max(entry["p50_ms_large"] / entry["p50_ms_small"] for entry in pages.values())
    worst_hello = max(entry["p50_ms_large"] for entry in pages.values()) / hello
    print(json.dumps({"pages": pages, "worst_ratio_large_to_small": round(worst_growth, 2),
                      "worst_ratio_to_hello": round(worst_hello, 2)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
