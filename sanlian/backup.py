"""Backups that restore: one archive (.tar.gz) holding the database, the uploaded files and a manifest.

- The database: PostgreSQL through ``pg_dump --format=custom`` inside an exported snapshot (the row counts of the
  manifest are taken in the same snapshot), SQLite through its online backup API (consistent while the portal
  writes; the counts are taken from the copy). The database is copied before the files: a row of the copy never
  names a file that is missing from the archive (uploads are stored before their row).
- ``manifest.json`` (last in the archive): format, vendor, per-table row counts, and the SHA-256 and size of the
  database part and of every file.
- ``restore`` checks every part's checksum before it touches anything (``BackupError`` with a Chinese message on a
  damaged or foreign archive), refuses a database or media folder that already holds data unless forced, restores
  (``pg_restore`` into the configured database; the SQLite file replaced), then counts the rows again.

Stop the web server, worker and beat before restoring: restoring replaces what they are using.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "sanlian-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
SQLITE_PART = "database.sqlite3"
POSTGRES_PART = "database.pgdump"
CHUNK = 1024 * 1024
# Tables whose rows say that a database already holds a portal (not only what ``migrate`` writes).
DATA_TABLES = ("auth_user", "projects_project", "societies_society")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the user (translated)."""


@dataclass
class Database:
    """The connection parameters of one database (Django's settings dictionary of an alias)."""

    vendor: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: dict | None = None

    @classmethod
    def of(cls, alias: str = "default") -> Database:
        conf = connections[alias].settings_dict
        vendor = connections[alias].vendor
        if vendor not in ("sqlite", "postgresql"):
            raise BackupError(_("Backups support SQLite and PostgreSQL only, not {}.").format(vendor))
        return cls(vendor=vendor, name=str(conf["NAME"]), user=conf.get("USER") or "",
                   password=conf.get("PASSWORD") or "", host=conf.get("HOST") or "", port=str(conf.get("PORT") or ""),
                   options=dict(conf.get("OPTIONS") or {}))

    def pg_environment(self) -> dict:
        """The libpq environment for ``pg_dump``/``pg_restore`` (the password never on a command line)."""
        env = dict(os.environ, PGDATABASE=self.name)
        for key, value in (("PGUSER", self.user), ("PGPASSWORD", self.password), ("PGHOST", self.host),
                           ("PGPORT", self.port), ("PGSSLMODE", (self.options or {}).get("sslmode", ""))):
            if value:
                env[key] = str(value)
        return env

    def pg_connect(self, **kwargs):
        import psycopg

        params = {"dbname": self.name, "user": self.user or None, "password": self.password or None,
                  "host": self.host or None, "port": self.port or None}
        if (self.options or {}).get("sslmode"):
            params["sslmode"] = self.options["sslmode"]
        try:
            return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, **kwargs)
        except psycopg.OperationalError as error:
            raise BackupError(_("Cannot connect to the database {}: {}").format(self.name, str(error).strip())) from None


# --- helpers --------------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file for ``tarfile.addfile`` while hashing exactly what is written into the archive."""

    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file() and not path.is_symlink())


def _sqlite_tables(conn: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute('SELECT COUNT(*) FROM "{}"'.format(name.replace('"', '""'))).fetchone()[0]
            for name in names}


def _pg_tables(cursor) -> dict[str, int]:
    cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                   "AND table_type = 'BASE TABLE' ORDER BY table_name")
    counts = {}
    for (name,) in cursor.fetchall():
        cursor.execute('SELECT COUNT(*) FROM "{}"'.format(name.replace('"', '""')))
        counts[name] = cursor.fetchone()[0]
    return counts


def _run(command: list[str], *, env: dict, what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(_("{} is not installed: install the PostgreSQL client programs.").format(command[0])) from None
    if result.returncode != 0:
        raise BackupError(_("{} failed: {}").format(what, result.stderr.strip()[-2000:]))


# --- backup ---------------------------------------------------------------------------------------------------


def _dump_database(db: Database, folder: Path) -> tuple[Path, dict[str, int]]:
    """Copy the database into ``folder``; the row counts of the copy, table by table."""
    if db.vendor == "sqlite":
        target = folder / SQLITE_PART
        if not Path(db.name).is_file():
            raise BackupError(_("The database file {} does not exist.").format(db.name))
        source = sqlite3.connect(db.name, timeout=30)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # SQLite's online backup: a consistent copy while others write
            counts = _sqlite_tables(copy)
        finally:
            copy.close()
            source.close()
        return target, counts
    target = folder / POSTGRES_PART
    import psycopg

    with db.pg_connect(autocommit=False) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_tables(cursor)  # the same snapshot pg_dump reads
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--snapshot", snapshot,
                  "--file", str(target)], env=db.pg_environment(), what="pg_dump")
        conn.rollback()
    return target, counts


def _add_file(archive: tarfile.TarFile, path: Path, arcname: str) -> dict:
    with open(path, "rb") as handle:
        info = archive.gettarinfo(fileobj=handle, arcname=arcname)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return {"path": arcname, "size": reader.size, "sha256": reader.digest.hexdigest()}


def make_backup(output: Path, *, alias: str = "default", media_root: Path | None = None) -> dict:
    """Write one archive to ``output`` (written beside it, then renamed: never a half archive under its name).
    Returns the manifest plus ``archive``, ``bytes`` and ``seconds``."""
    started = time.perf_counter()
    db = Database.of(alias)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="sanlian-backup-") as scratch:
        dump, counts = _dump_database(db, Path(scratch))
        manifest = {"format": FORMAT, "version": VERSION, "created_at": timezone.now().isoformat(),
                    "vendor": db.vendor, "tables": counts, "database": None, "files": []}
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                manifest["database"] = _add_file(archive, dump, dump.name)
                for path in _media_files(media_root):
                    relative = path.relative_to(media_root).as_posix()
                    try:
                        manifest["files"].append(_add_file(archive, path, MEDIA_PREFIX + relative))
                    except FileNotFoundError:
                        continue  # removed while the backup ran: its row is gone too or goes with it
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(time.time())
                archive.addfile(info, io.BytesIO(data))
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise BackupError(_("Cannot write the backup {}: {}").format(output, error.strerror or error)) from None
    return {**manifest, "archive": str(output), "bytes": output.stat().st_size,
            "seconds": round(time.perf_counter() - started, 3)}


# --- verify and restore ---------------------------------------------------------------------------------------


def _damaged(detail: str) -> BackupError:
    return BackupError(_("The archive is damaged or is not a backup of this portal ({}); nothing was restored.")
                       .format(detail))


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name not in ("", ".")


def unpack(archive_path: Path, folder: Path) -> dict:
    """Unpack the archive into ``folder`` and check every part against the manifest; the manifest, or
    ``BackupError`` when the archive is damaged, foreign, or a part is missing or changed."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(_("The backup file {} does not exist.").format(archive_path))
    hashes: dict[str, tuple[str, int]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            for member in archive:
                if not member.isfile() or not _safe_name(member.name):
                    raise _damaged(_("unexpected entry {}").format(member.name))
                source = archive.extractfile(member)
                if member.name == MANIFEST:
                    manifest_bytes = source.read()
                    continue
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(target, "wb") as out:
                    for chunk in iter(lambda: source.read(CHUNK), b""):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                hashes[member.name] = (digest.hexdigest(), size)
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as error:
        if isinstance(error, OSError) and error.errno is not None:  # the scratch folder, not the archive
            raise BackupError(_("Cannot unpack the backup: {}").format(error.strerror)) from None
        if isinstance(error, tarfile.ReadError) and "truncated" not in str(error) and "unexpected end" not in str(error):
            raise _damaged(_("not a .tar.gz archive")) from None
        raise _damaged(_("the file is cut short or corrupted")) from None
    if manifest_bytes is None:
        raise _damaged(_("no manifest"))
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _damaged(_("the manifest is not readable")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise _damaged(_("not a sanlian backup"))
    try:
        parts = [manifest["database"], *manifest["files"]]
        expected = {part["path"]: (part["sha256"], part["size"]) for part in parts}
        tables = {str(name): int(count) for name, count in manifest["tables"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _damaged(_("the manifest is incomplete")) from None
    for name, (sha, size) in expected.items():
        if name not in hashes:
            raise _damaged(_("{} is missing").format(name))
        if hashes[name] != (sha, size):
            raise _damaged(_("the checksum of {} does not match").format(name))
    extra = set(hashes) - set(expected)
    if extra:
        raise _damaged(_("{} is not in the manifest").format(sorted(extra)[0]))
    manifest["tables"] = tables
    return manifest


def verify(archive_path: Path) -> dict:
    """Check an archive without restoring it: its manifest, or ``BackupError``."""
    with tempfile.TemporaryDirectory(prefix="sanlian-verify-") as scratch:
        return unpack(archive_path, Path(scratch))


def table_counts(db: Database) -> dict[str, int]:
    """Every table's row count in the database (an empty dict for a database without tables)."""
    if db.vendor == "sqlite":
        if not Path(db.name).exists():
            return {}
        conn = sqlite3.connect(db.name, timeout=30)
        try:
            return _sqlite_tables(conn)
        finally:
            conn.close()
    with db.pg_connect(autocommit=True) as conn, conn.cursor() as cursor:
        return _pg_tables(cursor)


def holds_data(db: Database) -> dict[str, int]:
    """The portal tables (accounts, projects, societies) that already hold rows: {table: rows}."""
    counts = table_counts(db)
    return {table: counts[table] for table in DATA_TABLES if counts.get(table)}


def _restore_database(db: Database, folder: Path, manifest: dict) -> None:
    if manifest["vendor"] != db.vendor:
        raise BackupError(_("This backup is of a {} database; the portal is configured for {}.").format(
            manifest["vendor"], db.vendor))
    part = folder / manifest["database"]["path"]
    connections.close_all()
    if db.vendor == "sqlite":
        target = Path(db.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(target.name + ".restoring")
        shutil.copyfile(part, staged)
        for suffix in ("-journal", "-wal", "-shm"):  # an old journal must not be applied to the new file
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(staged, target)
        return
    # --clean --if-exists: a database that ``migrate`` already filled is replaced table by table
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", "--dbname", db.name, str(part)], env=db.pg_environment(), what="pg_restore")
    with db.pg_connect(autocommit=True) as conn:  # pg_restore brings no planner statistics (see sanlian.db.analyze)
        conn.execute("ANALYZE")


def _restore_media(folder: Path, media_root: Path, manifest: dict) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    for existing in list(media_root.iterdir()):  # only reached when empty or forced
        if existing.is_dir() and not existing.is_symlink():
            shutil.rmtree(existing)
        else:
            existing.unlink()
    for part in manifest["files"]:
        target = media_root / part["path"][len(MEDIA_PREFIX):]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(folder / part["path"], target)


def restore(archive_path: Path, *, force: bool = False, alias: str = "default",
            media_root: Path | None = None) -> dict:
    """Restore an archive into the configured database and media folder. Checks the checksums first; refuses a
    database with accounts, projects or societies, or a media folder with files, unless ``force``; afterwards
    compares every table's row count with the manifest. Side effects: the database and the media folder are
    replaced. Returns a summary (``tables``, ``rows``, ``files``, ``seconds``)."""
    started = time.perf_counter()
    db = Database.of(alias)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="sanlian-restore-") as scratch:
        folder = Path(scratch)
        manifest = unpack(archive_path, folder)
        if not force:
            present = holds_data(db)
            if present:
                raise BackupError(_("The database already holds data ({}): restore only into an empty database, "
                                    "or add --force to replace it.").format(
                    ", ".join("{} {}".format(table, rows) for table, rows in present.items())))
            files = _media_files(media_root)
            if files:
                raise BackupError(_("The media folder {} already holds {} files: restore only into an empty "
                                    "folder, or add --force to replace them.").format(media_root, len(files)))
        _restore_database(db, folder, manifest)
        _restore_media(folder, media_root, manifest)
    counts = table_counts(db)
    wrong = sorted(table for table, rows in manifest["tables"].items() if counts.get(table) != rows)
    if wrong:
        raise BackupError(_("The restored database does not match the backup: the row counts of {} differ.").format(
            ", ".join(wrong[:10])))
    hashes_wrong = [part["path"] for part in manifest["files"]
                    if sha256_of(media_root / part["path"][len(MEDIA_PREFIX):]) != part["sha256"]]
    if hashes_wrong:
        raise BackupError(_("The restored files do not match the backup: {}.").format(", ".join(hashes_wrong[:10])))
    return {"archive": str(archive_path), "vendor": db.vendor, "database": db.name, "media_root": str(media_root),
            "created_at": manifest.get("created_at"), "tables": len(manifest["tables"]),
            "rows": sum(manifest["tables"].values()), "files": len(manifest["files"]),
            "seconds": round(time.perf_counter() - started, 3)}


# --- the nightly job ------------------------------------------------------------------------------------------

NIGHTLY_PREFIX = "sanlian-"
NIGHTLY_SUFFIX = ".tar.gz"


def backup_folder() -> Path:
    return Path(getattr(settings, "BACKUP_DIR", None) or Path(settings.VAR_DIR) / "backups")


def nightly_backup(*, now: datetime | None = None) -> dict:
    """The beat job: a backup into ``BACKUP_DIR`` named by the time, then only the newest ``BACKUP_KEEP`` kept
    (the oldest removed). Returns the backup's summary with ``removed``."""
    folder = backup_folder()
    stamp = (now or timezone.now()).astimezone(timezone.get_current_timezone()).strftime("%Y%m%d-%H%M%S")
    result = make_backup(folder / "{}{}{}".format(NIGHTLY_PREFIX, stamp, NIGHTLY_SUFFIX))
    result["removed"] = [str(path) for path in rotate(folder, keep=int(getattr(settings, "BACKUP_KEEP", 7)))]
    return result


def rotate(folder: Path, *, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` nightly archives in ``folder`` (by their time-stamped names)."""
    for partial in Path(folder).glob(NIGHTLY_PREFIX + "*.partial"):  # left by a backup whose process was killed
        if time.time() - partial.stat().st_mtime > 24 * 3600:
            partial.unlink(missing_ok=True)
    archives = sorted(path for path in Path(folder).glob(NIGHTLY_PREFIX + "*" + NIGHTLY_SUFFIX) if path.is_file())
    removed = archives[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
