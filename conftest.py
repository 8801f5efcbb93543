"""Suite-wide fixtures: fast password hashing, private media in a temporary folder, Redis when present."""

import os
import socket
from urllib.parse import urlparse

import pytest

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core.cache import cache

    cache.clear()  # cached dashboards and roles never leak from one test into the next


@pytest.fixture
def redis_url() -> str:
    """The Redis server of the tests; skipped off CI when absent, a failure under CI."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1).close()
    except OSError:
        if CI:
            pytest.fail("Redis is not reachable at {} under CI".format(url))
        pytest.skip("Redis is not reachable at {}: start it to run this test (CI always does)".format(url))
    return url
