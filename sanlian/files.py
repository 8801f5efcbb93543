"""Serving private uploads: only ever through a view that has checked access first."""

from django.http import FileResponse, Http404


def private_file_response(stored, *, filename: str, content_type: str) -> FileResponse:
    """The stored file as a download (images and PDF shown inline), never sniffed as another type; 404 if gone."""
    try:
        handle = stored.open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    inline = content_type.startswith("image/") or content_type == "application/pdf"
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
