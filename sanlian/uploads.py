"""Uploaded files: checked by their content (never by the name or the browser's content type), written in the
same transaction as the rows that own them, and removed again when that transaction fails.

Served only by views that check access first (``sanlian.files.private_file_response``).
"""

import logging
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

logger = logging.getLogger(__name__)

ALLOWED_TYPES = {
    # extension → (content type, what the content must be)
    ".jpg": ("image/jpeg", "jpeg"), ".jpeg": ("image/jpeg", "jpeg"), ".png": ("image/png", "png"),
    ".gif": ("image/gif", "gif"), ".webp": ("image/webp", "webp"), ".pdf": ("application/pdf", "pdf"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ".doc": ("application/msword", "ole"), ".xls": ("application/vnd.ms-excel", "ole"),
}
_OOXML_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


class UploadRefused(Exception):
    """An uploaded file that may not be stored; the message says why, in the user's language."""


def _content_kind(head: bytes, upload) -> str | None:
    """What the bytes are, judged by their content."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        try:
            upload.seek(0)
            names = set(zipfile.ZipFile(upload).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        for kind, part in _OOXML_PART.items():
            if part in names and "[Content_Types].xml" in names:
                return kind
    return None


def check_upload(upload) -> str:
    """The content type to store ``upload`` under, or ``UploadRefused``: size limit, allowed extension, and
    content that really is what the extension says (an .exe renamed .jpg is refused)."""
    name = upload.name or ""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise UploadRefused(gettext("“{name}” is larger than {mb} MB.").format(
            name=name, mb=settings.UPLOAD_MAX_BYTES // 1024 // 1024))
    if not upload.size:
        raise UploadRefused(gettext("“{name}” is empty.").format(name=name))
    expected = ALLOWED_TYPES.get(Path(name).suffix.lower())
    if expected is None:
        raise UploadRefused(gettext(
            "“{name}” is not an allowed file type (photos, PDF, Word or Excel files).").format(name=name))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if _content_kind(head, upload) != expected[1]:
        raise UploadRefused(gettext(
            "The content of “{name}” does not match its file type; it was not stored.").format(name=name))
    return expected[0]


def check_uploads(files) -> list[tuple[object, str]]:
    """Every upload with its content type; ``UploadRefused`` as soon as one is refused (nothing is stored)."""
    return [(upload, check_upload(upload)) for upload in files]


def delete_file(name: str) -> None:
    default_storage.delete(name)


def delete_files_on_commit(names: list[str]) -> None:
    """Remove stored files once the transaction that deleted their rows has committed."""
    if names:
        transaction.on_commit(lambda: [delete_file(name) for name in names])


@contextmanager
def files_with_transaction() -> Iterator[list[str]]:
    """A transaction that also owns the files written in it: ``stored`` collects their names, and if anything fails
    the files are removed with the rolled-back rows (nothing half-written)."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            yield stored
    except Exception:
        for name in stored:
            try:
                delete_file(name)
            except OSError:  # e.g. the media folder itself is broken: the first error is the one to report
                logger.warning("Could not remove %s after a failed write.", name, exc_info=True)
        raise


def store_uploads(model, checked: list, stored: list[str], **fields) -> list:
    """Save checked uploads as rows of ``model`` (a model with ``file``, ``original_name``, ``content_type`` and
    ``size``) with ``fields``; ``stored`` collects the written names so that a failed transaction removes them."""
    rows = []
    for upload, content_type in checked:
        row = model(original_name=Path(upload.name).name[:255], content_type=content_type, size=upload.size, **fields)
        storage, max_length = row.file.storage, row.file.field.max_length
        name = storage.get_available_name(row.file.field.generate_filename(row, upload.name), max_length=max_length)
        stored.append(name)  # before writing: a write that fails half-way (disk full) is removed with the rows
        row.file.name = storage.save(name, upload, max_length=max_length)
        if row.file.name != name:
            stored.append(row.file.name)
        row.save()
        rows.append(row)
    return rows


def private_name(folder: str, filename: str) -> str:
    """Where an upload is stored: ``folder/YYYY/MM/<random><suffix>`` — the path never reveals or trusts the
    uploaded name (the ``upload_to`` of every ``StoredFile``)."""
    return "{}/{}/{}{}".format(folder, timezone.now().strftime("%Y/%m"), uuid.uuid4().hex,
                               PurePath(filename).suffix.lower())


class StoredFile(models.Model):
    """An uploaded file's record: its original name, content type (as checked), size, who uploaded it and when.
    A subclass declares ``file`` with its own ``upload_to``."""

    original_name = models.CharField(gettext_lazy("file name"), max_length=255)
    content_type = models.CharField(gettext_lazy("content type"), max_length=100)
    size = models.PositiveIntegerField(gettext_lazy("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("uploaded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(gettext_lazy("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
