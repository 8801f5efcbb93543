"""Builds of the half-yearly report: queued by the secretariat, built by a worker with its progress saved, each
build kept with its own two files (a snapshot). The content is ``reports.halfyear``'s."""

from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from sanlian.access import SYSTEM
from sanlian.queue import enqueue

from .halfyear import collect, parse_half, report_name, write_docx, write_xlsx
from .models import ReportBuild

BUILD_TASK = "sanlian.reports.build_report"


def request_report(*, half: str, user) -> ReportBuild:
    """Queue a build of the half-yearly report (``BadHalf`` for a malformed half); the worker builds it."""
    parse_half(half)
    build = ReportBuild.objects.create(half=half, requested_by=user)
    transaction.on_commit(lambda: _queue_build(build.pk))
    return build


def _queue_build(build_id: int) -> None:
    if not enqueue(BUILD_TASK, build_id=build_id):
        # a broker that is down fails the build visibly instead of leaving it queued for ever
        ReportBuild.objects.filter(pk=build_id).update(status=ReportBuild.Status.FAILED,
                                                       message=gettext("The job queue is not reachable."))


def run_build(*, build_id: int) -> str:
    """Build the two files of a queued build, saving the progress as it goes; a finished build is left as it is
    (a redelivered task does not build twice). The numbers are those of the moment of the build."""
    with transaction.atomic():
        build = ReportBuild.objects.select_for_update().filter(pk=build_id).first()
        if build is None or build.status == ReportBuild.Status.DONE:
            return "skipped"
        build.status, build.progress = ReportBuild.Status.RUNNING, 5
        build.save(update_fields=["status", "progress"])

    def progress(share: int, text: str) -> None:
        ReportBuild.objects.filter(pk=build_id).update(progress=share, message=str(text)[:300])

    try:
        data = collect(build.half, user=build.requested_by, progress=progress)
        progress(75, gettext("Writing the workbook"))
        xlsx = write_xlsx(data)
        progress(90, gettext("Writing the Word document"))
        docx = write_docx(data)
        name = report_name(build.half)
        build.xlsx.save(name + ".xlsx", ContentFile(xlsx), save=False)
        build.docx.save(name + ".docx", ContentFile(docx), save=False)
        build.status, build.progress, build.message = ReportBuild.Status.DONE, 100, ""
        build.projects, build.targets = data.project_count, len(data.targets)
        build.finished_at = timezone.now()
        build.save()
    except Exception as error:
        ReportBuild.objects.filter(pk=build_id).update(status=ReportBuild.Status.FAILED,
                                                       message=str(error)[:300], finished_at=timezone.now())
        raise
    return "done"


def stale_after() -> timedelta:
    """How long a build may stay queued or running: the task's hard time limit and a minute for the queue."""
    return timedelta(seconds=int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 600) or 600) + 60)


def fail_stale_builds(*, now=None) -> int:
    """Mark builds queued or running for longer than ``stale_after()`` as failed, with a message: their worker was
    killed (or their message lost) and no time limit fires for them any more. Called when the page or a build's
    status is opened, so no build says "building" for ever. A redelivered task may still finish such a build.
    Returns the number of builds marked."""
    cutoff = (now or timezone.now()) - stale_after()
    return ReportBuild.objects.for_user(SYSTEM).filter(
        status__in=[ReportBuild.Status.QUEUED, ReportBuild.Status.RUNNING], created_at__lt=cutoff,
    ).update(status=ReportBuild.Status.FAILED, finished_at=timezone.now(),
             message=gettext("The build stopped without finishing (its worker was interrupted); start a new build."))
