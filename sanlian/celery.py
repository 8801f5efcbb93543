"""Celery wiring: the broker comes from settings (Redis in production, a file-system broker by default)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanlian.settings")

app = Celery("sanlian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="sanlian.ping")
def ping() -> str:
    """Prove that a worker picks up tasks (used by the health tests)."""
    return "pong"
