"""Trusted reverse proxies: the real client address, scheme and host, only from a trusted peer.

Owned by :func:`vclinic.server.run.serve`, which wraps the app in :class:`TrustedProxies`.
Hypercorn's ``ProxyFixMiddleware`` reads ``X-Forwarded-For``/``-Proto``/``-Host`` (the last hop
of each, as nginx's ``$proxy_add_x_forwarded_for`` appends it) but believes any peer; here it is
applied only when the connection comes from an address in ``trusted_proxies``. Anyone else's
forwarded headers are ignored, so a client cannot pick the address that sign-in limits and logs
see.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from hypercorn.middleware import ProxyFixMiddleware

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The trusted networks of the ``trusted_proxies`` setting (addresses become /32 or /128)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


class TrustedProxies:
    """ASGI middleware: ``ProxyFixMiddleware`` for connections from trusted proxies only."""

    def __init__(self, app: Any, trusted: Iterable[str]) -> None:
        self._app = app
        self._fixed = ProxyFixMiddleware(app, mode="legacy", trusted_hops=1)
        self._trusted = networks(trusted)

    def trusts(self, address: str) -> bool:
        """True when a connection from ``address`` is from a trusted proxy."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        client = scope.get("client")
        if (scope["type"] in ("http", "websocket") and client is not None
                and self.trusts(client[0])):
            await self._fixed(scope, receive, send)
        else:
            await self._app(scope, receive, send)
