"""Thin Celery tasks of the reports app."""

from celery import shared_task

from . import builds


@shared_task(name="sanlian.reports.build_report", acks_late=True, reject_on_worker_lost=True, soft_time_limit=540,
             time_limit=600)
def task_build_report(*, build_id: int) -> str:
    """Build a queued half-yearly report (idempotent: a finished build is skipped)."""
    return builds.run_build(build_id=build_id)
