"""Thin Celery tasks of the portal's housekeeping (kept in the lowest app: ``sanlian`` is not an app)."""

from celery import shared_task

from sanlian import backup


@shared_task(name="sanlian.backup.nightly", acks_late=False, time_limit=3600, soft_time_limit=3500)
def task_nightly_backup() -> dict:
    """The nightly backup into ``BACKUP_DIR``, keeping the newest ``BACKUP_KEEP`` (beat: CELERY_BEAT_SCHEDULE)."""
    result = backup.nightly_backup()
    return {"archive": result["archive"], "bytes": result["bytes"], "removed": result["removed"]}
