"""Posting JSON to a robot webhook (WeCom, DingTalk …) without reaching the server's own network. No domain here.

A webhook address is typed by people, so the worker must not become a way into the machine or the office network:

- only ``https`` to a host name or a public address (``WEBHOOK_PRIVATE_HOSTS`` names exceptions, e.g. an intranet
  relay, which may also use plain http);
- the host is resolved when sending, every address it resolves to must be public (not loopback, private, link-local,
  shared, multicast or reserved), and the connection goes to the address that was checked (no second look-up that
  a rebinding DNS could answer differently);
- no redirect is followed, and an error names the status, never the remote body.
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ANSWER_MAX_BYTES = 4096


class WebhookRefused(Exception):
    """The address may not be posted to, or the post failed; the message is safe to show (no remote body)."""


def _allowed_private(host: str) -> bool:
    return host.lower() in {name.lower() for name in getattr(settings, "WEBHOOK_PRIVATE_HOSTS", [])}


def is_public(address: str) -> bool:
    """True for an address on the public internet (IPv4-mapped IPv6 judged as the IPv4 address it carries)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
                                 or ip.is_private or ip.is_unspecified)


def check_url(url: str) -> tuple[str, str, int, str]:
    """The scheme, host, port and path-with-query of an address that may be posted to; ``WebhookRefused`` if not."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname or "", parts.port
    except ValueError:
        raise WebhookRefused(_("The webhook address is not a valid URL.")) from None
    if not host or parts.username or parts.password:
        raise WebhookRefused(_("The webhook address is not a valid URL."))
    private_ok = _allowed_private(host)
    if parts.scheme != "https" and not (private_ok and parts.scheme == "http"):
        raise WebhookRefused(_("A webhook address must start with https://."))
    path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def resolve_public(host: str, port: int) -> str:
    """The first address of ``host``, after checking that every address it resolves to is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise WebhookRefused(_("The webhook host {} cannot be resolved.").format(host)) from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise WebhookRefused(_("The webhook host {} cannot be resolved.").format(host))
    if not _allowed_private(host) and not all(is_public(address) for address in addresses):
        raise WebhookRefused(_("The webhook host {} is not a public internet address; nothing was sent.").format(host))
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address that was checked, with the certificate and SNI of the host name."""

    def __init__(self, host: str, port: int, address: str, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


def post_json(url: str, payload: bytes, *, timeout: float = 5) -> bytes:
    """POST ``payload`` (JSON) to ``url`` once; the first bytes of a 2xx answer, else ``WebhookRefused``."""
    scheme, host, port, path = check_url(url)
    address = resolve_public(host, port)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout=timeout)
    try:
        connection.request("POST", path, body=payload, headers={"Content-Type": "application/json",
                                                                "User-Agent": "sanlian-webhook"})
        response = connection.getresponse()
        if 300 <= response.status < 400:
            raise WebhookRefused(_("The webhook answered with a redirect (HTTP {}); redirects are not followed.")
                                 .format(response.status))
        if not 200 <= response.status < 300:
            raise WebhookRefused(_("The webhook answered HTTP {}.").format(response.status))
        return response.read(ANSWER_MAX_BYTES)
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookRefused(_("The webhook could not be reached ({}).").format(type(exc).__name__)) from None
    finally:
        connection.close()


def validate_webhook_url(value: str) -> None:
    """Model validator (checked when the address is saved; the send-time check is ``post_json``'s): https, and not
    a loopback, private or otherwise non-public address written as such."""
    if not value:
        return
    try:
        _scheme, host, _port, _path = check_url(value)
    except WebhookRefused as refused:
        raise ValidationError(str(refused), code="webhook") from None
    if _allowed_private(host):
        return
    literal = host.strip("[]")
    try:
        public = is_public(literal)
    except ValueError:  # a name, not an address: resolved (and checked) when sending
        public = not (literal.lower() == "localhost" or literal.lower().endswith((".localhost", ".local", ".internal")))
    if not public:
        raise ValidationError(_("The webhook host {} is not a public internet address.").format(host), code="webhook")
