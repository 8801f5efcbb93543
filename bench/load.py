#!/usr/bin/env python
"""Load the portal holds: ``python bench/load.py [--users 50] [--seconds 60] [--projects 5000] [--think 1.0]``.

The production profile as ``make prod-check`` starts it (scripts/prod_check.py): a fresh PostgreSQL database,
gunicorn with ``deploy/gunicorn.conf.py`` and ``DEBUG=0``/``SECURE=1``, a Celery worker and beat on Redis; then
``seed_demo --projects N`` and one account per simulated user. A bounded pool of threads (one per user, no new
dependency) drives it over HTTP for the given seconds, each user pausing ``--think`` seconds on average (uniform
0.5×–1.5×) between requests, after a warm-up (one leader opens the dashboard and the list once, not measured):

- leadership (half the users): the dashboard, the project list (one of its first ten pages), a project's page;
- society contacts (the other half, spread over the demo societies): 我的项目, the project list, one of their
  projects' pages; every 5th request a status change and every 7th a progress update with a photo (both POST).

A GET must answer 200, a POST 302 (done and redirected); anything else, or no answer in 30 s, is a failure. Prints
per page count, p50/p95 and failures, then the JSON last: ``{"users", "seconds", "requests", "failures", "rps",
"p50_ms", "p95_ms", "worst_page", "worst_p95_ms"}``. Everything is torn down at the end. Goal on a 2-core machine
with this client on it: 0 failures, p95 ≤ 500 ms. Not part of the test suite.
"""

import argparse
import json
import random
import secrets
import struct
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from prod_check import Browser, CheckFailed, ProdCheck, services_missing  # noqa: E402

# Run inside the portal (manage.py shell): one account per simulated user, and the projects each may post to.
SETUP = """
import json
from projects.models import Project
from societies.choices import Role
from societies.models import Society
from societies.services import ensure_user
leaders, contacts = {leaders}, {contacts}
societies = [s for s in Society.objects.order_by("pk") if Project.objects.filter(society=s).exists()]
out = {{"leaders": [], "contacts": {{}}, "projects": list(Project.objects.order_by("?").values_list("pk", flat=True)[:2000])}}
for i in range(leaders):
    ensure_user(username="load-leader-%d" % i, role=Role.LEADER, password={password!r})
    out["leaders"].append("load-leader-%d" % i)
for i in range(contacts):
    society = societies[i % len(societies)]
    ensure_user(username="load-society-%d" % i, role=Role.SOCIETY, password={password!r}, society=society)
    out["contacts"]["load-society-%d" % i] = list(Project.objects.filter(society=society).order_by("?")
                                                   .values_list("pk", flat=True)[:50])
print("LOAD-SETUP " + json.dumps(out))
"""


def png(width: int = 64, height: int = 48) -> bytes:
    """A small real PNG (the portal checks uploads by content)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(value for x in range(width) for value in (x * 4 % 256, y * 5 % 256, 128))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PHOTO = png()


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "----sanlian-load-" + secrets.token_hex(8)
    parts = []
    for name, value in fields.items():
        parts.append('--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n{}\r\n'.format(
            boundary, name, value).encode())
    for name, (filename, content, content_type) in files.items():
        parts.append('--{}\r\nContent-Disposition: form-data; name="{}"; filename="{}"\r\nContent-Type: {}\r\n\r\n'
                     .format(boundary, name, filename, content_type).encode() + content + b"\r\n")
    parts.append("--{}--\r\n".format(boundary).encode())
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


class LoadRun(ProdCheck):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.samples: list[tuple[str, float, bool]] = []
        self.errors: dict[str, int] = {}
        self.lock = threading.Lock()
        self.deadline = 0.0
        # gunicorn's workers from the cores (deploy/gunicorn.conf.py), as in production
        self.env.pop("WEB_CONCURRENCY", None)

    def setup_users(self) -> dict:
        leaders = self.args.users // 2
        code = SETUP.format(leaders=leaders, contacts=self.args.users - leaders, password=self.password)
        out = self.manage_output("shell", "-c", code)
        line = next(line for line in out.splitlines() if line.startswith("LOAD-SETUP "))
        return json.loads(line[len("LOAD-SETUP "):])

    def manage_output(self, *args: str) -> str:
        import subprocess

        from prod_check import ROOT
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                                text=True, timeout=1800)
        if result.returncode != 0:
            raise CheckFailed("manage.py {}: {}".format(args[0], result.stderr[-800:]))
        return result.stdout

    def record(self, page: str, started: float, ok: bool, what: str = "") -> None:
        with self.lock:
            self.samples.append((page, (time.perf_counter() - started) * 1000, ok))
            if not ok:
                key = "{} {}".format(page, what)[:120]
                self.errors[key] = self.errors.get(key, 0) + 1

    def hit(self, browser: Browser, page: str, path: str, expect: int = 200, **post) -> None:
        started = time.perf_counter()
        try:
            status = browser.request(path, **post)[0]
            self.record(page, started, status == expect, str(status))
        except Exception as error:  # a timeout or a dropped connection is a failure, the user goes on
            self.record(page, started, False, type(error).__name__)

    def user(self, username: str, role: str, projects: list[int], barrier: threading.Barrier, seed: int) -> None:
        rng = random.Random(seed)
        try:
            browser = self.login(username)
        finally:
            barrier.wait()  # the clock starts when every user has logged in
        time.sleep(rng.uniform(0, self.args.think))  # users do not all start in the same instant
        count = 0
        while time.monotonic() < self.deadline:
            count += 1
            project = rng.choice(projects)
            if role == "leader":
                choice = count % 3
                if choice == 0:
                    self.hit(browser, "dashboard", "/reports/dashboard/")
                elif choice == 1:
                    self.hit(browser, "list", "/projects/?page={}".format(rng.randint(1, 10)))
                else:
                    self.hit(browser, "project", "/projects/{}/".format(project))
            elif count % 7 == 0:
                body, content_type = multipart(
                    {"csrfmiddlewaretoken": browser.cookies.get("csrftoken", ""),
                     "happened_on": date.today().isoformat(), "text": "压测进展 {}".format(count), "link": ""},
                    {"files": ("photo.png", PHOTO, "image/png")})
                self.hit(browser, "update+photo", "/projects/{}/updates/".format(project), 302, body=body,
                         content_type=content_type)
            elif count % 5 == 0:
                status = rng.choice(["in_progress", "done", "planned"])
                self.hit(browser, "status", "/projects/{}/status/".format(project), 302,
                         data={"csrfmiddlewaretoken": browser.cookies.get("csrftoken", ""), "status": status})
            else:
                page, path = rng.choice([("mine", "/projects/mine/"), ("list", "/projects/"),
                                         ("project", "/projects/{}/".format(project))])
                self.hit(browser, page, path)
            time.sleep(rng.uniform(0.5, 1.5) * self.args.think)

    def warm_up(self, world: dict) -> str:
        """One leader opens the dashboard and the list once, as on a portal that has been running: the first
        dashboard of a scope is computed and cached; the load then measures the running portal, not its cold start."""
        browser = self.login(world["leaders"][0]) if world["leaders"] else None
        if browser is None:
            return "no leadership users"
        timings = []
        for path in ("/reports/dashboard/", "/projects/", "/projects/{}/".format(world["projects"][0])):
            started = time.perf_counter()
            status = browser.get(path)[0]
            timings.append("{} {} in {:.0f} ms".format(path, status, (time.perf_counter() - started) * 1000))
        return "; ".join(timings)

    def load(self, world: dict) -> dict:
        users = [(name, "leader", world["projects"]) for name in world["leaders"]]
        users += [(name, "society", projects) for name, projects in world["contacts"].items()]
        started = []

        def start_clock() -> None:
            started.append(time.monotonic())
            self.deadline = started[0] + self.args.seconds

        barrier = threading.Barrier(len(users), action=start_clock)
        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            futures = [pool.submit(self.user, name, role, projects, barrier, index)
                       for index, (name, role, projects) in enumerate(users)]
            for future in futures:
                future.result()
        return self.summary(time.monotonic() - started[0])

    def summary(self, elapsed: float) -> dict:
        def pct(values: list[float], share: float) -> float:
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0

        pages: dict[str, list[float]] = {}
        failures: dict[str, int] = {}
        for page, ms, ok in self.samples:
            pages.setdefault(page, []).append(ms)
            failures[page] = failures.get(page, 0) + (not ok)
        print("\n{:<14} {:>8} {:>9} {:>9} {:>9}".format("page", "requests", "p50 ms", "p95 ms", "failures"))
        for page, values in sorted(pages.items()):
            print("{:<14} {:>8} {:>9} {:>9} {:>9}".format(page, len(values), pct(values, 0.5), pct(values, 0.95),
                                                            failures[page]))
        for what, count in sorted(self.errors.items()):
            print("  failure: {} × {}".format(what, count))
        every = [ms for _page, ms, _ok in self.samples]
        worst = max(pages, key=lambda page: pct(pages[page], 0.95)) if pages else ""
        return {"users": self.args.users, "seconds": self.args.seconds, "requests": len(self.samples),
                "failures": sum(failures.values()), "rps": round(len(self.samples) / max(elapsed, 0.001), 1),
                "p50_ms": pct(every, 0.5), "p95_ms": pct(every, 0.95), "worst_page": worst,
                "worst_p95_ms": pct(pages.get(worst, []), 0.95)}

    def bench(self) -> int:
        result = None
        try:
            steps = [("fresh PostgreSQL database", self.create_database),
                     ("migrate", lambda: self.manage("migrate", "--noinput")),
                     ("collectstatic", lambda: self.manage("collectstatic", "--noinput", "--verbosity", "0")),
                     ("seed_demo --projects {}".format(self.args.projects),
                      lambda: self.manage("seed_demo", "--projects", str(self.args.projects), "--force")),
                     ("start gunicorn, worker and beat", self.start_processes)]
            if all(self.step(name, action) for name, action in steps):
                world = {}
                if (self.step("{} accounts".format(self.args.users), lambda: world.update(self.setup_users()))
                        and self.step("warm-up (not measured)", lambda: self.warm_up(world))):
                    print("load: {} users for {} s ...".format(self.args.users, self.args.seconds), flush=True)
                    result = self.load(world)
        finally:
            if result is None:
                self.show_logs()
            self.step("stop the processes", self.stop)
            self.step("drop the database", self.drop)
            import shutil

            shutil.rmtree(self.tmp, ignore_errors=True)
        if result is None:
            return 1
        print(json.dumps(result))
        return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a user's requests, seconds")
    args = parser.parse_args()
    missing = services_missing()
    if missing:
        print("bench/load.py needs {}: not reachable.".format(" and ".join(missing)))
        return 1
    return LoadRun(args).bench()


if __name__ == "__main__":
    sys.exit(main())
