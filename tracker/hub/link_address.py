"""Where the link checker may connect: public internet addresses only.

Catalogue and library addresses are typed by education leads, so the checker must not become a
way into the server's own network: nothing on loopback, private, link-local (cloud metadata at
169.254.169.254), shared, reserved or multicast addresses. The host name is resolved here, every
address it resolves to must be allowed, and the connection goes to the address that was checked
(never resolved again, so a name cannot change its answer in between). Each redirect comes back
through here. Tests reach their own server on 127.0.0.1 through LINK_CHECK_ALLOW, a setting that
only the testing configuration has and only a testing app honours.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket

NOT_ALLOWED = "Not checked: address not allowed"


class AddressNotAllowed(Exception):
    """The address is not one the checker may visit; nothing was sent to it."""


class Unreachable(Exception):
    """The name did not resolve (said no more plainly: the checker is no oracle of the network)."""


def allow_list(config) -> frozenset[str]:
    """Addresses let through although not public: only ever under the testing configuration."""
    if not config.get("TESTING"):
        return frozenset()
    return frozenset(config.get("LINK_CHECK_ALLOW") or ())


def is_public(ip: str) -> bool:
    """A public unicast address: what a web page people are sent to lives on."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if address.version == 6:
        # An IPv6 form that carries an IPv4 address is judged by that address too.
        for inner in (address.ipv4_mapped, address.sixtofour, address.teredo and address.teredo[1]):
            if inner and not is_public(str(inner)):
                return False
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int, allow: frozenset[str] = frozenset()) -> str:
    """The one address to connect to for `host`, once every address it resolves to is allowed."""
    if not host:
        raise AddressNotAllowed
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise Unreachable from None
    addresses = list(dict.fromkeys(answer[4][0] for answer in answers))
    if not addresses or not all(ip in allow or is_public(ip) for ip in addresses):
        raise AddressNotAllowed
    return addresses[0]


def open_socket(ip: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to the checked address (the one seam tests watch)."""
    return socket.create_connection((ip, port), timeout)


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to an address already checked; the Host header still names the site."""

    def __init__(self, host: str, port: int | None, ip: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.ip = ip

    def connect(self):
        self.sock = open_socket(self.ip, self.port, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address already checked; the certificate is verified for the site's name."""

    def __init__(self, host: str, port: int | None, ip: str, timeout: float, context):
        super().__init__(host, port, timeout=timeout, context=context)
        self.ip = ip

    def connect(self):
        sock = open_socket(self.ip, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
