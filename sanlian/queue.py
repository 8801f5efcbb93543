"""Putting work on the Celery queue by the task's registered name, so no module imports its own app's tasks.

A broker that is down never breaks the page or the run that queued the work: it is logged, and the callers'
catch-up jobs re-drive what is still pending.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction

from .celery import app

logger = logging.getLogger(__name__)
_refused = threading.local()  # how many publishes the broker refused in this thread (see ``watch``)


def enqueue(name: str, *, countdown: int | None = None, **kwargs) -> bool:
    """Publish the task registered as ``name`` with keyword arguments; ``False`` (logged) when the broker refuses."""
    try:
        task = app.tasks.get(name)
        if task is not None:
            task.apply_async(kwargs=kwargs, countdown=countdown or None)
        else:
            app.send_task(name, kwargs=kwargs, countdown=countdown or None)
        return True
    except Exception:  # the broker being down must not break the caller
        _refused.count = getattr(_refused, "count", 0) + 1
        logger.warning("Could not queue %s %s; the catch-up will pick it up.", name, kwargs, exc_info=True)
        return False


def enqueue_on_commit(name: str, **kwargs) -> None:
    """Publish the task once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: enqueue(name, **kwargs))


@dataclass
class Watch:
    start: int

    @property
    def refused(self) -> bool:
        """Whether a task queued inside the ``with`` block (or on its commit) could not be published."""
        return getattr(_refused, "count", 0) > self.start


@contextmanager
def watch() -> Iterator[Watch]:
    """Tell a view whether the work queued by a service (after its commit) reached the broker, so the page can say
    that the notifications will follow once the queue is back (the catch-up jobs re-drive them)."""
    yield Watch(getattr(_refused, "count", 0))
