"""Thin Celery tasks of the meetings app."""

from celery import shared_task

from . import services

LIMITS = {"acks_late": True, "reject_on_worker_lost": True, "soft_time_limit": 240, "time_limit": 300}


@shared_task(name="sanlian.meetings.remind_decisions", **LIMITS)
def task_remind_decisions() -> int:
    """Daily: remind owners of open decisions near or past their deadline (exactly once per stage, ledger-keyed)."""
    return services.remind_decisions()
