"""One log line per request, with a request id.

``RequestLogMiddleware`` (first in ``MIDDLEWARE``) takes the request id from the ``X-Request-ID`` header when it is
sane (what nginx's ``$request_id`` or a load balancer sends: 1 to 64 letters, digits, ``.``, ``_``, ``:``, ``-``),
else makes one; echoes it in the response's ``X-Request-ID``; and logs, on the logger ``sanlian.request``,
``request_id=… method=… path=… status=… ms=… user=…`` (``user=-`` for an anonymous visitor). While the request runs,
``RequestIdFilter`` adds the id to every other log record (``%(request_id)s`` in the format), so a traceback can be
matched with its request line.
"""

import contextvars
import logging
import re
import time
import uuid

logger = logging.getLogger("sanlian.request")
HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_current = contextvars.ContextVar("sanlian_request_id", default="-")
_UNPRINTABLE = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def request_id_from(value: str | None) -> str:
    """The caller's id when it is sane, else a new random one."""
    if value and SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def printable(text: str, limit: int = 300) -> str:
    """``text`` on one log line: control characters, spaces and lone surrogates escaped, cut to ``limit``."""
    text = _UNPRINTABLE.sub(lambda found: "\\x{:02x}".format(ord(found[0])) if ord(found[0]) < 256
                            else "\\u{:04x}".format(ord(found[0])), text)
    return text if len(text) <= limit else text[:limit] + "…"


def current_request_id() -> str:
    return _current.get()


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = _current.set(request_id)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            elapsed = (time.perf_counter() - start) * 1000
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else "-"
            logger.info("request_id=%s method=%s path=%s status=%s ms=%.1f user=%s",
                        request_id, printable(request.method, 16), printable(request.path),
                        response.status_code, elapsed, user_id,
                        extra={"request_id": request_id, "status": response.status_code, "ms": round(elapsed, 1),
                               "user_id": user_id})
            return response
        finally:
            _current.reset(token)
