"""What the page benchmarks share: a throwaway database migrated in a temporary folder, Django set up on it, and a
trivial logged-in view (``/bench-hello/``) as the baseline every page is compared with."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str | None = None) -> Path:
    """Point the portal at a new SQLite file (or ``database_url``), set Django up, add the hello view, migrate."""
    tmp = Path(tempfile.mkdtemp(prefix="sanlian-bench-"))
    os.environ["DATABASE_URL"] = database_url or "sqlite:///{}".format(tmp / "bench.sqlite3")
    os.environ["VAR_DIR"] = str(tmp)
    os.environ.setdefault("SECRET_KEY", "sanlian-bench-throwaway-key-not-for-any-server-0123456789")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanlian.settings")
    os.environ["DEBUG"] = "1"  # plain static files without collectstatic; queries are counted with a context
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.core.management import call_command
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    from sanlian import urls

    urls.urlpatterns.append(path("bench-hello/", login_required(lambda request: HttpResponse("hello"))))
    clear_url_caches()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    return tmp
