"""Security settings and pages: deploy check, cookies and HSTS off DEBUG, CSP, login lockout, error pages."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from societies.choices import Role
from tests import factories

ROOT = Path(settings.BASE_DIR)


def run_manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    # Only what production would have: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their live server.
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "ALLOWED_HOSTS", "DATABASE_URL"}
    environment = {key: value for key, value in os.environ.items() if key not in dropped}
    environment.update({"VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "sanlian.settings"}, **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=120)


PRODUCTION = {"DEBUG": "0", "ALLOWED_HOSTS": "sanlian.example.org"}


def test_check_deploy_without_warnings_in_production(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(50),
                        **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_refuses_the_insecure_default_secret(tmp_path):
    result = run_manage(tmp_path, "check", **PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_cookies_secure_and_hsts(tmp_path):
    code = ("from django.conf import settings as s; import json; print(json.dumps([s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
            "len(s.AUTH_PASSWORD_VALIDATORS)]))")
    result = run_manage(tmp_path, "shell", "-c", code, SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION)
    assert result.returncode == 0, result.stderr
    last_line = result.stdout.strip().splitlines()[-1]
    session_secure, csrf_secure, httponly, hsts, ssl_redirect, validators = json.loads(last_line)
    assert (session_secure, csrf_secure, httponly, ssl_redirect, validators) == (True, True, True, True, 4)
    assert hsts >= 60 * 60 * 24 * 365


def test_password_validators_configured():
    names = [entry["NAME"].rsplit(".", 1)[1] for entry in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == ["UserAttributeSimilarityValidator", "MinimumLengthValidator", "CommonPasswordValidator",
                     "NumericPasswordValidator"]


@pytest.mark.django_db
def test_csp_header_strict_without_unsafe_inline(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_templates_have_no_inline_script_or_style():
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle\s*=", text) or "<style" in text:
            offenders.append(str(template.relative_to(ROOT)))
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_login_locked_after_five_failures_for_that_address_only(client):
    """AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]: the same user from another address may still log in."""
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    factories.user(Role.SOCIETY, username="alice", society=factories.society())
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "alice", "password": "guess"}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    locked = client.post(reverse("login"), {"username": "alice", "password": "guess"}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code in (403, 429)
    assert "账号已锁定" in locked.content.decode()
    # even the right password is refused from that address now
    again = client.post(reverse("login"), {"username": "alice", "password": factories.PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert "账号已锁定" in again.content.decode()
    other = Client()
    allowed = other.post(reverse("login"), {"username": "alice", "password": factories.PASSWORD},
                         REMOTE_ADDR="10.0.0.2")
    assert allowed.status_code == 302


@pytest.mark.django_db
def test_not_found_page_in_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert 'href="/static/css/app.css"' in body or "app.css" in body


@pytest.mark.django_db
def test_bad_request_page_in_chinese(client):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


@pytest.mark.django_db
def test_forbidden_page_in_chinese():
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "无权进行此操作" in response.content.decode()


def test_server_error_page_in_chinese_without_context():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_page_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "表单已失效" in response.content.decode()
