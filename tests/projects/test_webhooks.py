"""Robot webhooks never reach the server's own network: https to a public host only, checked when saving and again
when sending (after resolving the name), no redirects followed, errors shown without the remote body."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from projects.choices import DeliveryState
from projects.models import WebhookDelivery
from projects.notifications import deliver_webhook
from societies.choices import Role
from tests import factories

pytestmark = pytest.mark.django_db
SECRET = "internal-secret-body"


class Local(BaseHTTPRequestHandler):
    """A server on the portal's own machine: counts every request; redirects or fails with a secret body."""

    hits: list = []
    answer = 500

    def do_POST(self):  # noqa: N802
        Local.hits.append(self.path)
        self.send_response(Local.answer)
        if Local.answer in (301, 302, 307, 308):
            self.send_header("Location", "http://127.0.0.1:{}/redirected".format(self.server.server_port))
        self.end_headers()
        self.wfile.write(SECRET.encode())

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = HTTPServer(("127.0.0.1", 0), Local)
    Local.hits, Local.answer = [], 500
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def deliver_to(url: str) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(society=factories.society(), url=url, text="截止提醒")
    outcome, _wait = deliver_webhook(delivery_id=delivery.pk)
    assert outcome == "retry"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    return delivery


@pytest.mark.parametrize("template", [
    "http://127.0.0.1:{port}/robot", "https://127.0.0.1:{port}/robot", "https://localhost:{port}/robot",
    "https://2130706433:{port}/robot", "https://0x7f.1:{port}/robot", "https://[::ffff:127.0.0.1]:{port}/robot",
    "https://[::1]:{port}/robot", "https://0.0.0.0:{port}/robot", "http://localhost:{port}/robot",
])
def test_the_servers_own_address_is_never_posted_to(local_server, template):
    delivery = deliver_to(template.format(port=local_server))
    assert Local.hits == []
    assert delivery.last_error and SECRET not in delivery.last_error
    assert "https" in delivery.last_error or "公网" in delivery.last_error


@pytest.mark.parametrize("url", ["https://10.0.0.1/robot", "https://192.168.1.1/robot", "https://169.254.169.254/x",
                                 "https://100.64.0.1/robot", "https://[fe80::1]/robot", "https://240.0.0.1/robot",
                                 "ftp://qyapi.weixin.qq.com/x", "https://user:pw@qyapi.weixin.qq.com/x"])
def test_private_link_local_and_reserved_addresses_are_refused_before_connecting(url):
    delivery = deliver_to(url)
    assert delivery.last_error


def test_an_exempt_relay_that_redirects_is_not_followed_and_its_body_not_shown(local_server, settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]
    Local.answer = 302
    delivery = deliver_to("http://127.0.0.1:{}/robot".format(local_server))
    assert Local.hits == ["/robot"]  # the redirect's target was never asked
    assert "302" in delivery.last_error and SECRET not in delivery.last_error
    Local.answer = 500
    WebhookDelivery.objects.update(next_attempt_at=delivery.created_at)
    assert deliver_webhook(delivery_id=delivery.pk)[0] == "retry"
    delivery.refresh_from_db()
    assert "500" in delivery.last_error and SECRET not in delivery.last_error


@pytest.mark.parametrize(("url", "ok"), [
    ("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", False),
    ("https://127.0.0.1:8000/robot", False), ("https://localhost/robot", False), ("https://10.1.2.3/robot", False),
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", True),
    ("https://oapi.dingtalk.com/robot/send?access_token=x", True),
])
def test_the_society_form_refuses_a_non_public_or_plain_http_webhook(client, url, ok):
    client.force_login(factories.user(Role.SECRETARIAT))
    society = factories.society("市测试学会")
    response = client.post(reverse("societies:edit", args=["societies", society.pk]),
                           {"name": "市测试学会", "webhook_url": url, "is_active": "on"})
    society.refresh_from_db()
    if ok:
        assert response.status_code == 302 and society.webhook_url == url
    else:
        assert response.status_code == 400 and society.webhook_url == ""
        assert "https" in response.content.decode() or "公网" in response.content.decode()
