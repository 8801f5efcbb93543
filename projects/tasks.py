"""Thin Celery tasks: ids as keyword arguments, re-fetch, call a service. Every body is idempotent (acks_late)."""

import logging
from datetime import date, timedelta

from celery import shared_task
from celery.signals import worker_ready

from sanlian.queue import enqueue

from . import notifications, reminders

logger = logging.getLogger(__name__)
LIMITS = {"acks_late": True, "reject_on_worker_lost": True, "soft_time_limit": 540, "time_limit": 600}


@shared_task(name="sanlian.projects.send_reminders", **LIMITS)
def task_send_reminders(date_iso: str | None = None) -> dict:
    """The daily run (beat sends no argument: today in Beijing). Safe to repeat: the ledger sends nothing twice."""
    return reminders.send_reminders(today=date.fromisoformat(date_iso) if date_iso else None)


@shared_task(name="sanlian.projects.catch_up_reminders", **LIMITS)
def task_catch_up_reminders(stale_seconds: int = 300) -> dict:
    return reminders.catch_up_reminders(stale_after=timedelta(seconds=stale_seconds))


@shared_task(name="sanlian.projects.redrive_deliveries", **LIMITS)
def task_redrive_deliveries() -> int:
    """Queue again every delivery still pending (a worker died mid-batch; its message waits for the broker's
    visibility timeout). Duplicated queue entries are harmless: delivery checks each row under a lock."""
    return notifications.redrive_pending()


@shared_task(name=notifications.DELIVER_EMAILS, **LIMITS)
def task_deliver_notifications(notification_ids: list[int]) -> dict:
    """E-mail each pending notification once; failures are queued again with back-off."""
    return notifications.deliver_notifications(notification_ids=notification_ids)


@shared_task(name=notifications.DELIVER_WEBHOOKS, **LIMITS)
def task_deliver_webhooks(delivery_ids: list[int]) -> dict:
    """Post each pending webhook message; a failed one is queued again after its back-off."""
    return notifications.deliver_webhooks(delivery_ids=delivery_ids)


@worker_ready.connect(dispatch_uid="sanlian-reminders-worker-ready")
def _redrive_on_start(sender=None, **kwargs) -> None:
    """A worker that (re)starts re-drives what is pending at once: deliveries of a worker killed mid-batch."""
    enqueue("sanlian.projects.redrive_deliveries")
