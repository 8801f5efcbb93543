#!/usr/bin/env python
"""`make prod-check`: the production profile, started for real on this machine and used over HTTP.

1. a fresh PostgreSQL database (dropped at the end), ``migrate``, ``collectstatic``, ``setup_portal``;
2. gunicorn (``deploy/gunicorn.conf.py``) with ``DEBUG=0``, ``SECURE=1``, a generated ``SECRET_KEY`` and
   ``ALLOWED_HOSTS=127.0.0.1`` on a free port, a Celery worker and Celery beat as separate processes, all on Redis
   (a dedicated database, 15 unless ``PROD_CHECK_REDIS_DB``; flushed before and after);
3. over plain HTTP with ``X-Forwarded-Proto: https`` (as nginx sends it): each demo role logs in and opens its start
   page (200); the secretariat starts a half-year report build, which the worker finishes; ``/healthz`` answers 200;
   a missing page is the portal's 404, not Django's debug page;
4. everything is stopped and removed; a summary is printed, exit 0 when every step passed, 1 otherwise.

Needs PostgreSQL (``PROD_CHECK_POSTGRES``, default ``postgresql://postgres@127.0.0.1:5432/postgres``: a role that may
create databases) and Redis (``PROD_CHECK_REDIS``, default ``redis://127.0.0.1:6379``).
"""

import http.cookies
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("PROD_CHECK_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("PROD_CHECK_REDIS", "redis://127.0.0.1:6379").rstrip("/")
REDIS_DB = int(os.environ.get("PROD_CHECK_REDIS_DB", "15"))
ROLES = {"secretariat": "/projects/", "society": "/projects/mine/", "district": "/projects/mine/",
         "leader": "/reports/dashboard/"}
# What the check sets; anything of the caller's environment that would change the profile is dropped.
DROPPED = {"DEBUG", "SECURE", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "REDIS_URL",
           "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE", "VAR_DIR", "MEDIA_ROOT",
           "SECURE_SSL_REDIRECT", "GUNICORN_BIND", "PORT", "SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


class CheckFailed(Exception):
    pass


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def services_missing() -> list[str]:
    """The services the check needs that do not answer (empty when it can run)."""
    missing = []
    pg = urllib.parse.urlparse(POSTGRES)
    if not reachable(pg.hostname or "127.0.0.1", pg.port or 5432):
        missing.append("PostgreSQL at {}:{}".format(pg.hostname, pg.port or 5432))
    rd = urllib.parse.urlparse(REDIS)
    if not reachable(rd.hostname or "127.0.0.1", rd.port or 6379):
        missing.append("Redis at {}:{}".format(rd.hostname, rd.port or 6379))
    return missing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A minimal HTTP client with its own cookie store: the session and CSRF cookies are ``Secure`` (SECURE=1), which
    urllib's cookie jar would not send over plain http; here the proxy's ``X-Forwarded-Proto: https`` stands for TLS."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.origin = "https://" + urllib.parse.urlparse(base).netloc
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(self._NoRedirect)

    def request(self, path: str, data: dict | None = None, timeout: float = 30, *, body: bytes | None = None,
                content_type: str = "application/x-www-form-urlencoded") -> tuple[int, dict, str]:
        """GET ``path``, or POST ``data`` (a form) or ``body`` (already encoded, of ``content_type``)."""
        headers = {"X-Forwarded-Proto": "https", "User-Agent": "sanlian-prod-check"}
        if self.cookies:
            headers["Cookie"] = "; ".join("{}={}".format(k, v) for k, v in self.cookies.items())
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        if body is not None:
            headers.update({"Origin": self.origin, "Referer": self.origin + path, "Content-Type": content_type})
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=timeout) as response:
                status, head, text = response.status, response.headers, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, head, text = error.code, error.headers, error.read().decode("utf-8", "replace")
        for header in head.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return status, dict(head.items()), text

    def get(self, path: str) -> tuple[int, dict, str]:
        return self.request(path)

    def post(self, path: str, data: dict) -> tuple[int, dict, str]:
        status, _head, page = self.get(path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not found:
            raise CheckFailed("GET {} before posting: {} without a CSRF token".format(path, status))
        return self.request(path, dict(data, csrfmiddlewaretoken=found[1]))


class ProdCheck:
    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="sanlian-prod-check-"))
        self.database = "sanlian_prod_check_{}_{}".format(os.getpid(), secrets.token_hex(3))
        self.port = free_port()
        self.password = "Prod-check-" + secrets.token_urlsafe(12)
        self.processes: dict[str, subprocess.Popen] = {}
        self.results: list[tuple[str, bool, float, str]] = []
        pg = urllib.parse.urlparse(POSTGRES)
        database_url = pg._replace(path="/" + self.database).geturl()
        redis_url = "{}/{}".format(REDIS, REDIS_DB)
        self.env = {key: value for key, value in os.environ.items() if key not in DROPPED}
        self.env.update({
            "DJANGO_SETTINGS_MODULE": "sanlian.settings", "DEBUG": "0", "SECURE": "1",
            "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": "https://127.0.0.1:{}".format(self.port),
            "SITE_URL": "https://127.0.0.1:{}".format(self.port),
            "DATABASE_URL": database_url, "CELERY_BROKER_URL": redis_url, "REDIS_URL": redis_url,
            "VAR_DIR": str(self.tmp / "var"), "PORT": str(self.port), "WEB_CONCURRENCY": "2",
            "DEMO_PASSWORD": self.password, "PYTHONUNBUFFERED": "1",
        })

    # --- steps ------------------------------------------------------------------------------------------------
    def step(self, name: str, action) -> bool:
        start = time.monotonic()
        try:
            detail = action() or ""
            ok = True
        except Exception as error:  # every failure is reported in the summary, the check goes on to tear down
            detail, ok = "{}: {}".format(type(error).__name__, error), False
        self.results.append((name, ok, time.monotonic() - start, str(detail)))
        print("{} {:<44} {:6.1f}s  {}".format("ok  " if ok else "FAIL", name, time.monotonic() - start, detail),
              flush=True)
        return ok

    def admin_sql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    def flush_redis(self) -> None:
        import redis

        redis.Redis.from_url("{}/{}".format(REDIS, REDIS_DB), socket_timeout=5).flushdb()

    def create_database(self) -> str:
        self.admin_sql('CREATE DATABASE "{}"'.format(self.database))
        self.flush_redis()
        return self.database

    def manage(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                                text=True, timeout=600)
        if result.returncode != 0:
            raise CheckFailed("manage.py {} exit {}: {}".format(" ".join(args), result.returncode,
                                                               result.stderr.strip()[-800:]))
        return ""

    def start(self, name: str, command: list[str]) -> None:
        log = open(self.tmp / "{}.log".format(name), "wb")
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)

    def start_processes(self) -> str:
        self.start("web", [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "sanlian.wsgi"])
        self.start("worker", [str(BIN / "celery"), "-A", "sanlian", "worker", "--loglevel=INFO", "--concurrency=1",
                              "--hostname", "prod-check-{}@%h".format(os.getpid()), "--without-mingle",
                              "--without-gossip"])
        self.start("beat", [str(BIN / "celery"), "-A", "sanlian", "beat", "--loglevel=INFO", "--scheduler",
                            "django_celery_beat.schedulers:DatabaseScheduler", "--pidfile", str(self.tmp / "beat.pid")])
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise CheckFailed("{} exited with {}".format(name, process.returncode))
            try:
                status, _head, _page = Browser(self.base).get("/healthz")
                if status == 200:
                    return "gunicorn on port {}".format(self.port)
            except OSError:
                pass
            time.sleep(0.5)
        raise CheckFailed("gunicorn did not answer /healthz within 90 s")

    @property
    def base(self) -> str:
        return "http://127.0.0.1:{}".format(self.port)

    def login(self, username: str) -> Browser:
        browser = Browser(self.base)
        status, head, _page = browser.post("/accounts/login/", {"username": username, "password": self.password})
        if status != 302 or head.get("Location") != "/":
            raise CheckFailed("log-in as {}: {} → {}".format(username, status, head.get("Location")))
        return browser

    def role_pages(self) -> str:
        for username, start_page in ROLES.items():
            browser = self.login(username)
            status, head, _page = browser.get("/")
            if status != 302 or head.get("Location") != start_page:
                raise CheckFailed("{}: / → {} {} (expected {})".format(username, status, head.get("Location"),
                                                                      start_page))
            status, head, page = browser.get(start_page)
            if status != 200 or username not in page:
                raise CheckFailed("{}: {} answered {}".format(username, start_page, status))
            if "Strict-Transport-Security" not in head:
                raise CheckFailed("{}: no HSTS header with SECURE=1".format(start_page))
        return ", ".join("{} {}".format(user, page) for user, page in ROLES.items())

    def report_build(self) -> str:
        browser = self.login("secretariat")
        half = "{}H1".format(date.today().year)
        status, head, _page = browser.post("/reports/half-year/", {"half": half})
        found = re.search(r"build=(\d+)", head.get("Location", ""))
        if status != 302 or not found:
            raise CheckFailed("starting the build: {} → {}".format(status, head.get("Location")))
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            status, _head, page = browser.get("/reports/half-year/{}/status/".format(found[1]))
            state = json.loads(page) if status == 200 else {}
            if state.get("status") == "done":
                for kind in ("xlsx", "docx"):
                    got = browser.get("/reports/half-year/{}/{}/".format(found[1], kind))[0]
                    if got != 200:
                        raise CheckFailed("the built {} answered {}".format(kind, got))
                return "build {} of {} done by the worker".format(found[1], half)
            if state.get("status") == "failed" or status != 200:
                raise CheckFailed("build {}: {} {}".format(found[1], status, state))
            time.sleep(0.5)
        raise CheckFailed("the build was not done within 180 s (is the worker running?)")

    def beat_alive(self) -> str:
        process = self.processes["beat"]
        if process.poll() is not None:
            raise CheckFailed("beat exited with {}".format(process.returncode))
        log = (self.tmp / "beat.log").read_text(errors="replace")
        if "beat: Starting" not in log:
            raise CheckFailed("beat did not report its start: {}".format(log[-300:]))
        return "running, DatabaseScheduler"

    def health_and_errors(self) -> str:
        browser = Browser(self.base)
        status, head, page = browser.get("/healthz")
        if status != 200 or json.loads(page) != {"database": "ok", "broker": "ok"}:
            raise CheckFailed("/healthz: {} {}".format(status, page[:200]))
        if not head.get("X-Request-ID"):
            raise CheckFailed("/healthz: no X-Request-ID in the answer")
        status, _head, page = browser.get("/no-such-page/")
        if status != 404 or "URLconf" in page or "Traceback" in page:
            raise CheckFailed("a missing page: {} (Django's debug page?)".format(status))
        return "/healthz 200, the portal's own 404"

    # --- teardown -----------------------------------------------------------------------------------------------
    def stop(self) -> str:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        return ""

    def drop(self) -> str:
        self.admin_sql('DROP DATABASE IF EXISTS "{}" WITH (FORCE)'.format(self.database))
        self.flush_redis()
        return ""

    def show_logs(self) -> None:
        for name in self.processes:
            path = self.tmp / "{}.log".format(name)
            if path.exists():
                lines = path.read_text(errors="replace").splitlines()[-25:]
                print("--- last lines of {} ---\n{}".format(name, "\n".join(lines)), flush=True)

    def run(self) -> int:
        print("sanlian prod-check: PostgreSQL database {}, Redis db {}, port {}".format(
            self.database, REDIS_DB, self.port), flush=True)
        try:
            if self.step("fresh PostgreSQL database", self.create_database):
                ready = (self.step("migrate", lambda: self.manage("migrate", "--noinput"))
                         and self.step("collectstatic", lambda: self.manage("collectstatic", "--noinput",
                                                                          "--verbosity", "0"))
                         and self.step("setup_portal", lambda: self.manage("setup_portal"))
                         and self.step("start gunicorn, worker and beat (DEBUG=0)", self.start_processes))
                if ready:
                    self.step("each role logs in and opens its start page", self.role_pages)
                    self.step("half-year report built by the worker", self.report_build)
                    self.step("beat is running", self.beat_alive)
                    self.step("/healthz and the error page", self.health_and_errors)
        finally:
            failed = [name for name, ok, _s, _d in self.results if not ok]
            if failed:
                self.show_logs()
            self.step("stop the processes", self.stop)
            self.step("drop the database, flush Redis db {}".format(REDIS_DB), self.drop)
            shutil.rmtree(self.tmp, ignore_errors=True)
        failed = [name for name, ok, _s, _d in self.results if not ok]
        print("prod-check: {} of {} steps passed{}".format(
            len(self.results) - len(failed), len(self.results), "; failed: " + ", ".join(failed) if failed else ""))
        return 1 if failed else 0


def main() -> int:
    missing = services_missing()
    if missing:
        print("prod-check needs {}: not reachable (start them, or set PROD_CHECK_POSTGRES / PROD_CHECK_REDIS)."
              .format(" and ".join(missing)))
        return 1
    return ProdCheck().run()


if __name__ == "__main__":
    sys.exit(main())
