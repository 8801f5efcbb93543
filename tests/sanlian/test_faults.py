"""Faults the portal survives, with real processes where feasible: a report worker SIGKILLed mid-build, Redis
stopped during a status change, a disk that is full or a media folder that cannot be written during an upload."""

import errno
import http.cookiejar
import os
import re
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from projects.choices import DeliveryState, ProjectStatus
from projects.models import ActivityOutcome, Attachment, Notification, ProgressUpdate
from reports.builds import stale_after
from reports.models import ReportBuild
from sanlian.queue import enqueue
from societies.choices import Role
from tests import factories
from tests.projects.conftest import database_url, point_celery_at, stack, wait_for  # noqa: F401 (the real-worker fixture)
from tests.projects.test_reminder_worker import own_redis  # noqa: F401 (a Redis of the test's own)
from tests.projects.test_updates import PDF, PNG
from tests.sanlian.test_server import ROOT, NoRedirect, environment, free_port
from tests.sanlian.test_server import manage as server_manage


def fault_worker(stack):  # noqa: F811
    """A real worker whose report builds wait at the workbook step while the gate file exists."""
    return stack._start([sys.executable, "-m", "celery", "-A", "tests.sanlian.faultworker", "worker", "--pool=solo",
                         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
                         "--hostname=fault-{}@%h".format(uuid.uuid4().hex[:8])])


@pytest.mark.celery
@pytest.mark.redis
def test_report_build_of_a_killed_worker_is_failed_with_a_message_and_a_new_build_works(
        stack, client, settings, monkeypatch, tmp_path):  # noqa: F811
    gate = tmp_path / "build-gate"
    gate.write_text("hold")
    monkeypatch.setenv("SANLIAN_TEST_BUILD_GATE", str(gate))
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    worker = fault_worker(stack)
    client.force_login(factories.user(Role.SECRETARIAT))
    assert client.post(reverse("reports:halfyear"), {"half": "2024H1"}).status_code == 302
    build = ReportBuild.objects.get()
    wait_for(lambda: ReportBuild.objects.filter(pk=build.pk, progress=75).exists(), timeout=120,
             message="the build to reach its workbook")
    stack.kill(worker)  # SIGKILL to the worker's process group, mid-build

    status_url = reverse("reports:halfyear_status", args=[build.pk])
    assert client.get(status_url).json()["status"] == "running"  # within the task's time limit it may still run
    # Past the time limit (and a minute) nobody builds it any more: opening the page says so.
    ReportBuild.objects.filter(pk=build.pk).update(created_at=timezone.now() - stale_after() - timedelta(seconds=1))
    page = client.get(reverse("reports:halfyear")).content.decode()
    status = client.get(status_url).json()
    assert (status["status"], status["label"]) == ("failed", "失败")
    assert "中断" in status["message"] and "中断" in page

    gate.unlink()
    stack.start_worker()
    assert client.post(reverse("reports:halfyear"), {"half": "2024H1"}).status_code == 302
    again = ReportBuild.objects.exclude(pk=build.pk).get()
    wait_for(lambda: ReportBuild.objects.get(pk=again.pk).status in ("done", "failed"), timeout=120,
             message="the new build")
    again.refresh_from_db()
    assert again.status == ReportBuild.Status.DONE, again.message
    assert Path(again.xlsx.path).stat().st_size > 0 and Path(again.docx.path).stat().st_size > 0
    assert ReportBuild.objects.get(pk=build.pk).status == ReportBuild.Status.FAILED


@pytest.fixture
def broker_restored():
    from sanlian.celery import app

    previous = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.broker_connection_max_retries)
    yield
    point_celery_at(previous[0])
    app.conf.broker_transport_options, app.conf.broker_connection_max_retries = previous[1], previous[2]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redis_down_during_a_status_change_saves_it_and_the_page_says_the_reminders_follow(
        own_redis, broker_restored, client, settings):  # noqa: F811
    settings.CACHES = {"default": {"BACKEND": "sanlian.cache.ResilientRedisCache", "LOCATION": own_redis.url,
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}}
    point_celery_at(own_redis.url)
    society = factories.society("市老科协")
    contact = factories.user(Role.SOCIETY, username="alice", society=society)
    factories.user(Role.SECRETARIAT, username="sec", email="sec@example.org")
    leader = factories.user(Role.LEADER)
    project = factories.project(society=society, status=ProjectStatus.IN_PROGRESS)
    cache.set("sanlian:probe", "up")
    assert cache.get("sanlian:probe") == "up"

    own_redis.stop()  # cache and broker both down
    client.force_login(contact)
    response = client.post(reverse("projects:status", args=[project.pk]), {
        "status": ProjectStatus.DELAYED, "delay_reason": "场地调整",
        "delayed_to": (timezone.localdate() + timedelta(days=30)).isoformat()}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "状态已改为" in page and "队列恢复后" in page
    project.refresh_from_db()
    assert project.status == ProjectStatus.DELAYED  # the change is saved
    told = Notification.objects.get(recipient__username="sec")
    assert told.email_state == DeliveryState.PENDING  # its e-mail waits for the catch-up
    health = client.get("/healthz")
    assert (health.status_code, health.json()) == (503, {"database": "ok", "broker": "down"})
    client.force_login(leader)
    assert client.get(reverse("reports:dashboard")).status_code == 200  # computed without the cache

    own_redis.start()  # back, without restarting anything
    point_celery_at(own_redis.url)
    health = client.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"database": "ok", "broker": "ok"})
    cache.set("sanlian:probe", "again")
    assert cache.get("sanlian:probe") == "again"
    assert enqueue("sanlian.projects.deliver_notifications", notification_ids=[told.pk]) is True
    client.force_login(contact)
    response = client.post(reverse("projects:status", args=[project.pk]), {"status": ProjectStatus.IN_PROGRESS},
                           follow=True)
    assert "队列恢复后" not in response.content.decode()


def disk_full(self, name, content):
    """FileSystemStorage._save on a disk that fills up half-way through the file."""
    path = Path(self.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.read(8))
    raise OSError(errno.ENOSPC, "No space left on device", str(path))


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["disk full", "media folder is a file"])
def test_upload_that_cannot_be_stored_says_so_in_chinese_and_stores_nothing(client, settings, monkeypatch, fault):
    society = factories.society("市老科协")
    contact = factories.user(Role.SOCIETY, username="alice", society=society)
    project = factories.project(society=society)
    media = Path(settings.MEDIA_ROOT)
    if fault == "disk full":
        monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
        media.mkdir(parents=True, exist_ok=True)
    else:  # not writable even for root: the configured folder is a file
        media.parent.mkdir(parents=True, exist_ok=True)
        media.write_text("")
    client.force_login(contact)
    response = client.post(reverse("projects:update_post", args=[project.pk]), {
        "happened_on": timezone.localdate().isoformat(), "text": "完成首场活动", "link": "",
        "files": [SimpleUploadedFile("现场.png", PNG), SimpleUploadedFile("方案.pdf", PDF)]})
    assert response.status_code == 507
    assert "文件未能保存" in response.content.decode() and "未保存" in response.content.decode()
    response = client.post(reverse("projects:outcome_create", args=[project.pk]), {
        "held_on": timezone.localdate().isoformat(), "kind": "popularisation", "title": "科普进社区", "place": "",
        "participants": "120", "expert_person_times": "0", "served_count": "0", "served_names": "",
        "news_link": "", "description": "", "files": [SimpleUploadedFile("现场.png", PNG)]})
    assert response.status_code == 507
    assert not ProgressUpdate.objects.exists() and not ActivityOutcome.objects.exists()
    assert not Attachment.objects.exists()
    if media.is_dir():
        assert [path for path in media.rglob("*") if path.is_file()] == []  # no half-written file left
    project.refresh_from_db()
    assert project.status == ProjectStatus.PLANNED


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql
def test_database_connections_cut_under_gunicorn_answer_503_in_chinese_then_recover(tmp_path, settings):
    """PostgreSQL restarted: gunicorn's open database connection is cut (as a restart cuts it); that request
    answers 503 with a Chinese page, the next ones succeed without restarting gunicorn."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (run with DATABASE_URL=postgresql://…)")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # what gunicorn checks with
    factories.user(Role.LEADER, username="leader")
    env = {"SECURE": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    collected = server_manage(tmp_path, "collectstatic", "--noinput", "--verbosity", "0", **env)
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "sanlian.wsgi"],
        cwd=ROOT, env=environment(tmp_path, PORT=str(port), WEB_CONCURRENCY="1", GUNICORN_THREADS="1",
                                  DATABASE_URL=database_url(), CONN_MAX_AGE="60", **env),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        base = "http://127.0.0.1:{}".format(port)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                             NoRedirect)

        def get(path: str, data: bytes | None = None):
            try:
                with opener.open(base + path, data=data, timeout=20) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()

        status, page = wait_for(lambda: _answer(get, "/accounts/login/"), timeout=60, message="gunicorn to start")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        login = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "leader",
                                        "password": factories.PASSWORD}).encode()
        assert get("/accounts/login/", login)[0] == 302
        assert get("/projects/")[0] == 200  # gunicorn's worker now holds a connection (CONN_MAX_AGE=60)

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            own = cursor.fetchone()[0]
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> %s", [own])
            assert len(cursor.fetchall()) >= 1
        status, page = get("/projects/")
        assert status == 503 and "暂时无法连接数据库" in page and "Traceback" not in page
        assert get("/projects/")[0] == 200  # a new connection, no restart
        assert get("/healthz")[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _answer(get, path: str):
    try:
        return get(path)
    except (urllib.error.URLError, ConnectionError):
        return None


def test_server_error_handler_answers_503_in_chinese_for_a_database_that_is_down():
    from django.db import OperationalError
    from django.test import RequestFactory

    from sanlian.views import server_error

    request = RequestFactory().get("/projects/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert (response.status_code, response["Retry-After"]) == (503, "10")
    assert "暂时无法连接数据库" in response.content.decode()
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500 and "服务器出错" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_import_with_redis_down_is_applied_by_a_real_process(tmp_path):
    """The annex import as its own process with the cache and the broker on a closed port: applied (exit 0), the
    projects stored; the cache invalidation and the notifications wait for Redis instead of failing the import."""
    from projects.models import Project

    workbook = tmp_path / "annex.xlsx"
    workbook.write_bytes(factories.annex_workbook())
    down = "redis://127.0.0.1:{}/0".format(free_port())  # nothing listens there
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="sanlian.settings_test", DATABASE_URL=database_url(),
               REDIS_URL=down, CELERY_BROKER_URL=down, VAR_DIR=str(tmp_path / "var"), MEDIA_ROOT=str(tmp_path / "m"))
    result = subprocess.run([sys.executable, "manage.py", "import_annex", str(workbook), "--year", "2024", "--json"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert Project.objects.filter(year=2024).count() == 3
