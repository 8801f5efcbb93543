"""Settings of the test suite (``pytest.ini``): the portal's settings with a fixed test key and the development
profile (``DEBUG=1`` at import: plain static files without ``collectstatic``, no HTTPS-only cookies); pytest-django
still runs every test with ``DEBUG`` off. Processes the tests start (workers, servers) inherit this module."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-sanlian-test-key")
os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: E402,F403
