"""The portal's own address (``settings.SITE_URL``), for links that leave the browser: e-mail, calendars, robots."""

from urllib.parse import urlsplit

from django.conf import settings


def site_host() -> str:
    """The host name of ``SITE_URL`` (for Message-IDs and calendar UIDs)."""
    return urlsplit(settings.SITE_URL).hostname or "sanlian"


def absolute_url(path: str) -> str:
    """``path`` as a full address; a path that is already absolute (or empty) is returned as it is."""
    return settings.SITE_URL + path if path.startswith("/") else path
