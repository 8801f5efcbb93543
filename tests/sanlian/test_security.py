"""Platform security: deploy checks, CSP without inline, error pages in Chinese, login lockout."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from societies.choices import Role
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_has_no_warning_with_real_settings():
    env = dict(os.environ, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="portal.example.org")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests' process only, never in a deployment
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_insecure_default_secret():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env.update(DEBUG="0", ALLOWED_HOSTS="portal.example.org")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_csp_header_is_strict(client):
    header = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in header or "default-src 'none'" in header
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


@pytest.mark.django_db
def test_not_found_page_is_chinese(client, settings):
    settings.DEBUG = False
    client.force_login(factories.user(Role.SOCIETY))
    response = client.get("/projects/987654/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_page_is_chinese():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403 and "表单已过期" in response.content.decode()


def test_server_error_page_renders_without_context():
    from django.template.loader import render_to_string

    assert "服务器出错" in render_to_string("500.html")


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_login_in_chinese(client):
    factories.user(Role.SOCIETY, username="alice")
    for _attempt in range(5):
        response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code in (403, 429) or "锁定" in response.content.decode()
    response = client.post(reverse("login"), {"username": "alice", "password": factories.PASSWORD})
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
