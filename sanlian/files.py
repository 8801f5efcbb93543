"""Serving private uploads: only ever through a view that has checked access first.

With ``MEDIA_ACCEL_REDIRECT`` set (e.g. ``/_private/``, behind nginx), the view answers with an empty response whose
``X-Accel-Redirect`` header tells nginx to send the file from an ``internal`` location (deploy/nginx-sanlian.conf):
the access check stays in the portal, the bytes go out without holding a gunicorn worker.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header


def private_file_response(stored, *, filename: str, content_type: str) -> HttpResponse:
    """The stored file as a download (images and PDF shown inline), never sniffed as another type; 404 if gone."""
    inline = content_type.startswith("image/") or content_type == "application/pdf"
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if prefix:
        if not stored or not stored.storage.exists(stored.name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(stored.name.lstrip("/"))
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
    else:
        try:
            handle = stored.open("rb")
        except (OSError, ValueError):
            raise Http404 from None
        response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
