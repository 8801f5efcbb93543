"""Site-wide views: the start page, the health check and the server-error page."""

import sys

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from societies.access import role_of
from societies.choices import Role

from .celery import app as celery_app


@login_required
def home(request):
    """Each role starts where its work is: the leadership on the dashboard, contacts on their projects."""
    start = {Role.LEADER: "reports:dashboard", Role.SOCIETY: "projects:mine", Role.DISTRICT: "projects:mine"}
    return redirect(start.get(role_of(request.user), "projects:list"))


def _database_ok() -> bool:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure means "down"; the reason is not for an anonymous caller
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:
        return False


@require_GET
@never_cache
def healthz(request):
    """``{"database": "ok", "broker": "ok"}`` with 200, or the parts that are down with 503. No login, no secrets."""
    status = {
        "database": "ok" if _database_ok() else "down",
        "broker": "ok" if _broker_ok() else "down",
    }
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)


def server_error(request):
    """The 500 handler. A database that cannot be reached (restarted, down, a connection cut) is not a bug of the
    page: it answers 503 with a Chinese page asking to try again (rendered without the database); the next request
    opens a new connection, so the portal recovers without a restart. Anything else: the usual 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponseServerError(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))
