"""Fixtures for the reminder tests: a small world of recipients, and a real Celery worker on Redis."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
import redis
from django.db import connection

from societies.choices import Role
from tests import factories
from tests.mailbackend import mail_messages

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def people():
    """Society 1 with a chair e-mail, its contact accounts (one without e-mail), the secretariat and a leader."""
    s1 = factories.society("市老科协", chair_email="chair@example.org")
    return {
        "society": s1,
        "alice": factories.user(Role.SOCIETY, username="alice", society=s1, email="alice@example.org"),
        "bob": factories.user(Role.SOCIETY, username="bob", society=s1),
        "outsider": factories.user(Role.SOCIETY, username="charlie", society=factories.society(), email="c@example.org"),
        "secretariat": factories.user(Role.SECRETARIAT, username="sec", email="sec@example.org"),
        "leader": factories.user(Role.LEADER, username="lead", email="lead@example.org"),
    }


def reminded_project(people, *, due_end: date, **fields):
    """A project of society 1 with an e-mail-only contact (and one who cannot be reached at all)."""
    project = factories.project(society=people["society"], due_text="{}月".format(due_end.month), due_start=due_end.replace(day=1),
                                due_end=due_end, **fields)
    project.contacts.add(factories.contact("王联系", email="wang@example.org"), factories.contact("李无邮"))
    return project


def wait_for(condition, *, timeout: float = 60, message: str = "condition"):
    """Poll ``condition`` until true, at most ``timeout`` seconds (the worker tests' only kind of wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out after {}s waiting for {}".format(timeout, message))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The test database as a URL another process can open (pytest-django has renamed it by now)."""
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///{}".format(conf["NAME"])
    return "postgresql://{}{}@{}:{}/{}".format(conf["USER"], ":" + conf["PASSWORD"] if conf["PASSWORD"] else "",
                                               conf["HOST"] or "127.0.0.1", conf["PORT"] or 5432, conf["NAME"])


class Stack:
    """A broker URL, a mail folder and Celery worker processes started (and always stopped) by the test."""

    def __init__(self, broker_url: str, tmp_path: Path):
        self.broker_url = broker_url
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.gate = tmp_path / "mail-gate"
        self.log = tmp_path / "worker.log"
        self.tmp_path = tmp_path
        self.workers: list[subprocess.Popen] = []

    def environment(self) -> dict:
        return dict(
            os.environ, DJANGO_SETTINGS_MODULE="sanlian.settings", DATABASE_URL=database_url(),
            CELERY_BROKER_URL=self.broker_url, EMAIL_BACKEND="tests.mailbackend.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir), SANLIAN_TEST_MAIL_GATE=str(self.gate),
            VAR_DIR=str(self.tmp_path / "var"), PYTHONPATH=str(ROOT),
        )

    def start_worker(self, *, concurrency: int = 1) -> subprocess.Popen:
        pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", "--concurrency={}".format(concurrency)]
        command = [sys.executable, "-m", "celery", "-A", "sanlian", "worker", *pool, "--loglevel=INFO",
                   "--without-gossip", "--without-mingle", "--without-heartbeat",
                   "--hostname=test-{}@%h".format(uuid.uuid4().hex[:8])]
        return self._start(command)

    def start_beat(self) -> subprocess.Popen:
        """A celery beat process on the database scheduler (django-celery-beat), as ``make run`` starts it."""
        number = len(self.workers)
        return self._start([sys.executable, "-m", "celery", "-A", "sanlian", "beat", "--loglevel=INFO",
                            "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
                            "--pidfile", str(self.tmp_path / "beat{}.pid".format(number)),
                            "--schedule", str(self.tmp_path / "beat{}.db".format(number))])

    def _start(self, command: list[str]) -> subprocess.Popen:
        with open(self.log, "ab") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=self.environment(), stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(process)
        return process

    def kill(self, worker: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(worker.pid, sig)
        except ProcessLookupError:
            pass
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                self.kill(worker, signal.SIGTERM)

    def mails(self) -> list[str]:
        return mail_messages(self.mail_dir)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def point_celery_at(url: str) -> None:
    """Make this (test) process publish to ``url``: the app caches its connection pools."""
    from kombu import pools

    from sanlian.celery import app

    pools.reset()  # kombu keeps one pool per broker, process-wide
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 3600, "socket_connect_timeout": 1}
    app.conf.broker_connection_max_retries = 1
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def stack(redis_url, transactional_db, tmp_path, settings):
    """A real worker stack on the shared test Redis (database TEST_REDIS_DB), torn down after the test."""
    from sanlian.celery import app

    previous = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.broker_connection_max_retries)
    redis.Redis.from_url(redis_url).flushdb()  # this engineer's own test database number: no leftover messages
    point_celery_at(redis_url)
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    running = Stack(redis_url, tmp_path)
    settings.EMAIL_FILE_PATH = str(running.mail_dir)
    try:
        yield running
    finally:
        running.stop()
        print("--- worker log (tail) ---\n" + running.log_text()[-6000:])  # shown by pytest when the test fails
        point_celery_at(previous[0])
        app.conf.broker_transport_options, app.conf.broker_connection_max_retries = previous[1], previous[2]


@pytest.fixture
def world():
    """Two societies, two districts; project A of society 1 linked to district 1, project B of society 2."""
    s1, s2 = factories.society("市老科协"), factories.society("市医学会")
    d1, d2 = factories.district("滕州市科协"), factories.district("市中区科协")
    a = factories.project(society=s1, title="项目A", districts=[d1])
    b = factories.project(society=s2, title="项目B", districts=[d2])
    return {
        "a": a,
        "b": b,
        "secretariat": factories.user(Role.SECRETARIAT),
        "leader": factories.user(Role.LEADER),
        "society1": factories.user(Role.SOCIETY, society=s1),
        "society1_colleague": factories.user(Role.SOCIETY, society=s1),
        "society2": factories.user(Role.SOCIETY, society=s2),
        "district1": factories.user(Role.DISTRICT, district=d1),
        "nobody": factories.user(Role.SOCIETY),  # a contact whose profile names no society
    }
