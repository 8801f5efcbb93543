from . import db  # noqa: F401 (connects the SQLite parameter-limit hook)
from .celery import app as celery_app

__all__ = ("celery_app",)
