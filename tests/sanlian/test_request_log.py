"""One log line per request with a request id (sanlian/logs.py): the caller's X-Request-ID when sane, else a new
one, echoed in the response; method, path, status, duration and user id on the line."""

import logging
import re
import subprocess
import sys

import pytest
from django.conf import settings

from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db
LINE = re.compile(r"request_id=(\S+) method=(\S+) path=(\S+) status=(\d+) ms=(\d+\.\d) user=(\S+)$")


def _lines(caplog) -> list[re.Match]:
    return [LINE.match(record.getMessage()) for record in caplog.records if record.name == "sanlian.request"]


def test_a_sane_request_id_is_kept_echoed_and_logged_with_the_user(client, caplog):
    user = factories.user(Role.LEADER, username="log-leader")
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="sanlian.request"):
        response = client.get("/projects/", HTTP_X_REQUEST_ID="nginx-4f2a.77:1")
    assert response.status_code == 200 and response["X-Request-ID"] == "nginx-4f2a.77:1"
    (line,) = _lines(caplog)
    assert line.group(1, 2, 3, 4, 6) == ("nginx-4f2a.77:1", "GET", "/projects/", "200", str(user.pk))
    assert float(line.group(5)) >= 0


@pytest.mark.parametrize("sent", [None, "", "x" * 65, "a b", "id\r\nstatus=200", "编号", "<script>"])
def test_an_insane_or_missing_request_id_is_replaced_by_a_new_one(client, caplog, sent):
    headers = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}
    with caplog.at_level(logging.INFO, logger="sanlian.request"):
        response = client.get("/no-such-page/", **headers)
    (line,) = _lines(caplog)
    assert response.status_code == 404
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"]) and response["X-Request-ID"] != sent
    assert line.group(1, 2, 3, 4, 6) == (response["X-Request-ID"], "GET", "/no-such-page/",
                                         "404", "-")


def test_each_request_gets_its_own_id_and_a_post_and_redirect_are_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="sanlian.request"):
        first = client.get("/projects/")  # anonymous: redirected to the log-in page
        second = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    lines = _lines(caplog)
    assert [line.group(2, 4) for line in lines] == [("GET", "302"), ("POST", str(second.status_code))]
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert [line.group(1) for line in lines] == [first["X-Request-ID"], second["X-Request-ID"]]


def test_control_characters_in_the_path_stay_on_one_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="sanlian.request"):
        client.get("/no-such-page/%0Astatus=200%20user=1/")
    (record,) = [r for r in caplog.records if r.name == "sanlian.request"]
    message = record.getMessage()
    assert "\n" not in message and "path=/no-such-page/\\x0astatus=200\\x20user=1/ status=404" in message


def test_other_lines_logged_during_a_request_carry_its_id(client):
    from sanlian.logs import RequestIdFilter, current_request_id

    seen = []
    handler = logging.Handler()
    handler.addFilter(RequestIdFilter())
    handler.emit = lambda record: seen.append(record.request_id)
    logging.getLogger("sanlian.request").addHandler(handler)
    try:
        response = client.get("/healthz", HTTP_X_REQUEST_ID="trace-1")
    finally:
        logging.getLogger("sanlian.request").removeHandler(handler)
    assert response["X-Request-ID"] == "trace-1" and seen == ["trace-1"]
    assert current_request_id() == "-"  # reset after the request


def test_sentry_dsn_without_the_sdk_starts_and_says_so(tmp_path):
    """sentry-sdk is optional: with SENTRY_DSN set and the package missing, the portal starts and warns."""
    try:
        import sentry_sdk  # noqa: F401
        pytest.skip("sentry-sdk is installed here: the warning path cannot be shown")
    except ImportError:
        pass
    env = {"SECRET_KEY": "x" * 50, "VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "sanlian.settings",
           "SENTRY_DSN": "https://public@sentry.example.org/1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "sentry-sdk package is not installed" in result.stderr
