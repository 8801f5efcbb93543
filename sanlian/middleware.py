"""Language selection: Simplified Chinese unless the user chose another language in the portal (Django's
LocaleMiddleware would follow the browser's Accept-Language, so an English-language browser would show English; the
users of this portal expect Chinese by default); a password change that must come first.
"""

import errno
import logging

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

# Set in the session at log-in when the account has a temporary password (``societies`` sets it, this enforces it).
PASSWORD_CHANGE_REQUIRED = "sanlian_must_change_password"
PASSWORD_CHANGE_ALLOWED = ("password_change", "password_change_done", "logout", "set_language", "javascript-catalog")


class DefaultLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class PasswordChangeRequiredMiddleware:
    """While the session says the password is a temporary one, every page but the password change itself, log-out
    and the language switch redirects to the password change page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed: set[str] | None = None

    def __call__(self, request):
        if request.session.get(PASSWORD_CHANGE_REQUIRED) and request.user.is_authenticated:
            if self.allowed is None:
                self.allowed = {reverse(name) for name in PASSWORD_CHANGE_ALLOWED}
            if request.path_info not in self.allowed:
                return redirect("password_change")
        return self.get_response(request)


# The errors of a disk that is full or a media folder that cannot be written.
STORAGE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.ENOTDIR}


class StorageFailureMiddleware:
    """A file that cannot be stored (disk full, media folder not writable) answers a page in Chinese with 507
    instead of a 500: the services store files inside their transaction (``sanlian.uploads``), so nothing of the
    entry was kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OSError) and exception.errno in STORAGE_ERRORS:
            logging.getLogger(__name__).error("Cannot store a file for %s: %s", request.path, exception)
            return render(request, "storage_failure.html", status=507)
        return None
