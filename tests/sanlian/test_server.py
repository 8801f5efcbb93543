"""DEBUG is off unless a developer asks; the HTTPS-only settings have their own switch; `make run`'s server
(gunicorn with deploy/gunicorn.conf.py, static files by whitenoise) logs a user in over plain http."""

import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SHOW = ("from django.conf import settings as s; import json; print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, getattr(s, 'SECURE_SSL_REDIRECT', False), getattr(s, 'SECURE_HSTS_SECONDS', 0)]))")


def environment(tmp_path, **env: str) -> dict:
    """What a laptop or a server would have: none of the test suite's own settings."""
    dropped = {"SECRET_KEY", "DEBUG", "SECURE", "DJANGO_ALLOW_ASYNC_UNSAFE", "ALLOWED_HOSTS", "DATABASE_URL",
               "DJANGO_SETTINGS_MODULE", "REDIS_URL", "CELERY_BROKER_URL"}
    result = {key: value for key, value in os.environ.items() if key not in dropped}
    result.update({"VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "sanlian.settings"}, **env)
    return result


def manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment(tmp_path, **env),
                          capture_output=True, text=True, timeout=180)


def shown(tmp_path, **env: str) -> list:
    result = manage(tmp_path, "shell", "-c", SHOW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_debug_is_off_by_default_and_https_only_settings_follow_their_own_switch(tmp_path):
    key = secrets.token_urlsafe(50)
    assert shown(tmp_path, SECRET_KEY=key) == [False, True, True, True, 60 * 60 * 24 * 365]
    assert shown(tmp_path, SECRET_KEY=key, SECURE="0") == [False, False, False, False, 0]  # make run on a laptop
    assert shown(tmp_path, DEBUG="1") == [True, False, False, False, 0]  # a developer, with the development key


def test_without_debug_the_key_comes_from_the_environment_or_var_secret_key(tmp_path):
    refused = manage(tmp_path, "check")
    assert refused.returncode != 0 and "SECRET_KEY" in refused.stderr
    (tmp_path / "var").mkdir(exist_ok=True)
    (tmp_path / "var" / "secret_key").write_text(secrets.token_urlsafe(50) + "\n")
    assert manage(tmp_path, "check").returncode == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_make_runs_server_logs_in_over_plain_http_without_debug_pages(tmp_path):
    env = {"SECURE": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    for args in (["migrate", "--noinput"], ["collectstatic", "--noinput", "--verbosity", "0"],
                 ["shell", "-c", "from societies.services import ensure_demo_accounts; "
                                 "ensure_demo_accounts(password='Qinghe-river-2024')"]):
        result = manage(tmp_path, *args, **env)
        assert result.returncode == 0, result.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "sanlian.wsgi"],
        cwd=ROOT, env=environment(tmp_path, PORT=str(port), WEB_CONCURRENCY="1", **env),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        base = "http://127.0.0.1:{}".format(port)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

        def get(path: str):
            try:
                with opener.open(base + path, timeout=10) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()

        deadline = time.monotonic() + 60
        while True:
            try:
                status, page = get("/accounts/login/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "leader",
                                       "password": "Qinghe-river-2024"}).encode()
        try:
            opener.open(base + "/accounts/login/", data=data, timeout=10)
            pytest.fail("the log-in did not redirect")
        except urllib.error.HTTPError as error:
            assert error.code == 302 and error.headers["Location"] == "/"
        status, page = get("/reports/dashboard/")
        assert status == 200 and "leader" in page
        stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', page)[1]  # hashed by collectstatic
        assert get(stylesheet)[0] == 200
        status, page = get("/no-such-page/")
        assert status == 404 and "URLconf" not in page and "Traceback" not in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
