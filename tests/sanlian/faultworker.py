"""The portal's Celery app for the fault drills (``celery -A tests.sanlian.faultworker worker``): while the file named
by ``SANLIAN_TEST_BUILD_GATE`` exists, a report build waits (at most two minutes) before writing its workbook, so a
test can SIGKILL the worker in the middle of a build."""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from sanlian.celery import app

__all__ = ["app"]


@task_prerun.connect
def hold_report_builds(**kwargs) -> None:
    from reports import builds

    if getattr(builds.write_xlsx, "held", False):
        return
    write_xlsx = builds.write_xlsx

    def held(data):
        gate = Path(os.environ.get("SANLIAN_TEST_BUILD_GATE", "/nonexistent"))
        deadline = time.monotonic() + 120
        while gate.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        return write_xlsx(data)

    held.held = True
    builds.write_xlsx = held
