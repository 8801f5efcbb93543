"""Backups that restore: the drill on the configured database (SQLite, or PostgreSQL when ``DATABASE_URL`` says so),
with a writer busy during the backup, the restore as a real process into a fresh database and media folder, and a
user logging in on the restored portal. Damaged archives, non-empty targets and the nightly rotation."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from meetings.services import schedule_meeting
from projects.models import ProgressUpdate
from projects.outcomes import record_outcome
from projects.services import post_update
from reports.models import ReportBuild
from sanlian import backup
from societies.choices import Role
from tests import factories
from tests.projects.conftest import stack, wait_for  # noqa: F401 (the real-worker fixture)
from tests.projects.test_updates import PDF, PNG

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
WRITER_TABLES = {ProgressUpdate._meta.db_table, ProgressUpdate.history.model._meta.db_table}


def file_hashes(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def url_of(name: str) -> str:
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///{}".format(name)
    return "postgresql://{}{}@{}:{}/{}".format(conf["USER"], ":" + conf["PASSWORD"] if conf["PASSWORD"] else "",
                                               conf["HOST"] or "127.0.0.1", conf["PORT"] or 5432, name)


def admin_connection():
    import psycopg

    conf = connection.settings_dict
    return psycopg.connect(dbname="postgres", user=conf["USER"] or None, password=conf["PASSWORD"] or None,
                           host=conf["HOST"] or "127.0.0.1", port=conf["PORT"] or 5432, autocommit=True)


@pytest.fixture
def fresh_target(tmp_path):
    """A database that does not exist yet (SQLite: a new file) or is empty (PostgreSQL: a new database, dropped
    afterwards), and an empty media folder: ``(database_url, database, media_root)``."""
    media = tmp_path / "restored-media"
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield url_of(str(path)), backup.Database(vendor="sqlite", name=str(path)), media
        return
    from psycopg import sql

    name = "sanlian_restore_{}".format(uuid.uuid4().hex[:10])
    with admin_connection() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conf = connection.settings_dict
    database = backup.Database(vendor="postgresql", name=name, user=conf["USER"] or "",
                               password=conf["PASSWORD"] or "", host=conf["HOST"] or "127.0.0.1",
                               port=str(conf["PORT"] or 5432))
    try:
        yield url_of(name), database, media
    finally:
        with admin_connection() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(*args: str, database_url: str, media_root: Path, tmp_path: Path, script: str | None = None):
    """``manage.py`` (or a Python script) as its own process on the given database and media folder."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="sanlian.settings_test", DATABASE_URL=database_url,
               MEDIA_ROOT=str(media_root), VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-c", script] if script else [sys.executable, "manage.py", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def build_portal(settings) -> dict:
    """Projects, updates with photos, an outcome with evidence, a meeting, a report build with its files."""
    s1 = factories.society("市老科协")
    d1 = factories.district("滕州市科协")
    secretariat = factories.user(Role.SECRETARIAT, username="sec")
    contact = factories.user(Role.SOCIETY, username="alice", society=s1)
    projects = [factories.project(society=s1, title="老专家滕州行{}".format(n), districts=[d1]) for n in range(3)]
    for number, project in enumerate(projects):
        post_update(project, user=contact, happened_on=date(2024, 5, 10 + number), text="第{}场活动".format(number),
                    files=[SimpleUploadedFile("现场{}.png".format(number), PNG),
                           SimpleUploadedFile("方案{}.pdf".format(number), PDF + str(number).encode())])
    record_outcome(projects[0], user=secretariat, fields={"held_on": date(2024, 5, 20), "title": "科普进社区",
                                                          "participants": 120},
                   files=[SimpleUploadedFile("成效.png", PNG)])
    schedule_meeting(user=secretariat, half="2024H1", held_on=date(2024, 6, 28), place="市科协", agenda=["通报进展"])
    build = ReportBuild.objects.create(half="2024H1", requested_by=secretariat, status=ReportBuild.Status.DONE)
    build.xlsx.save("report.xlsx", ContentFile(b"xlsx-bytes"), save=False)
    build.docx.save("report.docx", ContentFile(b"docx-bytes"))
    return {"projects": projects, "contact": contact, "secretariat": secretariat}


def test_backup_while_writing_restores_every_row_and_file_and_a_user_logs_in(settings, tmp_path, fresh_target):
    world = build_portal(settings)
    media = Path(settings.MEDIA_ROOT)
    source_files = file_hashes(media)
    assert len(source_files) == 3 * 2 + 1 + 2
    archive = tmp_path / "sanlian.tar.gz"

    stop, written = threading.Event(), []

    def writer():  # a request writing while the backup runs
        try:
            while not stop.is_set():
                update = ProgressUpdate.objects.create(project=world["projects"][1], author=world["contact"],
                                                       happened_on=date(2024, 6, 1), text="并发写入")
                written.append(update.pk)
                time.sleep(0.005)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3:  # the writer is busy before the backup starts
            time.sleep(0.01)
        call_command("backup", "-o", str(archive), "--json", stdout=open(tmp_path / "backup.json", "w"))
    finally:
        stop.set()
        thread.join(timeout=60)
    summary = json.loads((tmp_path / "backup.json").read_text())
    manifest = backup.verify(archive)
    assert summary["files"] == len(manifest["files"]) == len(source_files)
    source_counts = backup.table_counts(backup.Database.of())
    assert set(manifest["tables"]) == set(source_counts)
    assert {t: n for t, n in manifest["tables"].items() if t not in WRITER_TABLES} == {
        t: n for t, n in source_counts.items() if t not in WRITER_TABLES}
    # the writer's tables as of one moment: what was written before it, not what came after
    for table in WRITER_TABLES:
        assert 3 + 3 <= manifest["tables"][table] <= source_counts[table]

    database_url, target, target_media = fresh_target
    result = manage("restore", str(archive), "--json", database_url=database_url, media_root=target_media,
                    tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == sum(manifest["tables"].values())
    assert backup.table_counts(target) == manifest["tables"]  # every table's row count
    assert file_hashes(target_media) == source_files  # every file's hash

    # the restored portal starts and a user logs in and opens a photo
    check = manage("check", database_url=database_url, media_root=target_media, tmp_path=tmp_path)
    assert check.returncode == 0, check.stderr
    photo = world["projects"][0].attachments.filter(content_type="image/png").first()
    login = manage(database_url=database_url, media_root=target_media, tmp_path=tmp_path, script="""
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
response = client.post("/accounts/login/", {{"username": "alice", "password": "{password}"}})
assert response.status_code == 302, response.status_code
page = client.get("/projects/attachments/{photo}/")
print(page.status_code, len(b"".join(page.streaming_content)), client.get("/projects/mine/").status_code)
""".format(password=factories.PASSWORD, photo=photo.pk))
    assert login.returncode == 0, login.stderr
    assert login.stdout.split() == ["200", str(len(PNG)), "200"]


def test_restore_of_a_damaged_archive_exits_1_with_a_chinese_message(settings, tmp_path, fresh_target):
    build_portal(settings)
    archive = tmp_path / "sanlian.tar.gz"
    call_command("backup", "-o", str(archive), stdout=open(os.devnull, "w"))
    database_url, target, target_media = fresh_target
    # a file of the archive changed: the manifest's checksum does not match
    changed = tmp_path / "changed.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(changed, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.endswith(".png"):
                data = data[:-1] + b"!"
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as out:
        out.add(ROOT / "README.md", arcname="README.md")
    for bad, detail in ((changed, "校验值不符"), (cut, "文件不完整或已损坏"), (foreign, "没有清单")):
        result = manage("restore", str(bad), database_url=database_url, media_root=target_media, tmp_path=tmp_path)
        assert result.returncode == 1
        assert "备份文件已损坏或不是本平台的备份" in result.stderr and detail in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and "CommandError" not in result.stderr  # the message alone
        assert backup.holds_data(target) == {} and not target_media.exists()  # nothing restored


def test_restore_refuses_a_portal_with_data_without_force(settings, tmp_path, fresh_target):
    build_portal(settings)
    archive = tmp_path / "sanlian.tar.gz"
    call_command("backup", "-o", str(archive), stdout=open(os.devnull, "w"))
    before = backup.table_counts(backup.Database.of())
    with pytest.raises(CommandError, match="数据库中已有数据"):
        call_command("restore", str(archive))  # the running portal's own database
    assert backup.table_counts(backup.Database.of()) == before
    # an empty database but a media folder with files
    database_url, target, target_media = fresh_target
    target_media.mkdir()
    (target_media / "old.txt").write_text("旧文件")
    result = manage("restore", str(archive), database_url=database_url, media_root=target_media, tmp_path=tmp_path)
    assert result.returncode == 1 and "上传文件夹" in result.stderr and "--force" in result.stderr, result.stderr
    assert backup.holds_data(target) == {}
    forced = manage("restore", str(archive), "--force", database_url=database_url, media_root=target_media,
                    tmp_path=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert not (target_media / "old.txt").exists()
    assert file_hashes(target_media) == file_hashes(Path(settings.MEDIA_ROOT))


def test_nightly_backup_keeps_the_newest_copies(settings, tmp_path):
    from societies.tasks import task_nightly_backup

    build_portal(settings)
    settings.BACKUP_DIR, settings.BACKUP_KEEP = tmp_path / "backups", 3
    start = datetime(2024, 5, 1, 18, 30, tzinfo=dt_timezone.utc)
    for day in range(5):
        backup.nightly_backup(now=start + timedelta(days=day))
    names = sorted(path.name for path in (tmp_path / "backups").iterdir())
    assert names == ["sanlian-20240504-023000.tar.gz", "sanlian-20240505-023000.tar.gz",
                     "sanlian-20240506-023000.tar.gz"]
    assert backup.verify(tmp_path / "backups" / names[-1])["tables"]["projects_project"] == 3
    result = task_nightly_backup()  # what beat runs each night: one more, the oldest removed
    assert result["removed"] == [str(tmp_path / "backups" / names[0])]
    assert len(list((tmp_path / "backups").iterdir())) == 3
    entry = settings.CELERY_BEAT_SCHEDULE["sanlian: nightly backup"]
    assert entry["task"] == task_nightly_backup.name == "sanlian.backup.nightly"


@pytest.mark.celery
@pytest.mark.redis
def test_beat_installs_the_nightly_backup_entry(stack):  # noqa: F811
    from django_celery_beat.models import PeriodicTask

    beat = stack.start_beat()  # a real beat on the database scheduler, as make run and systemd start it
    wait_for(lambda: PeriodicTask.objects.filter(name="sanlian: nightly backup").exists(), timeout=90,
             message="beat to install the nightly backup entry")
    stack.kill(beat)
    entry = PeriodicTask.objects.select_related("crontab").get(name="sanlian: nightly backup")
    assert (entry.task, entry.enabled) == ("sanlian.backup.nightly", True)
    assert (entry.crontab.hour, entry.crontab.minute, str(entry.crontab.timezone)) == ("2", "30", "Asia/Shanghai")
