"""Who is asking, and may they: principal loading, Origin and CSRF checks, role guards.

A request is authenticated by the ``vclinic_session`` cookie (browsers) or an
``Authorization: Bearer`` token (integrations). Cookie-authenticated writes must come from an
allowed Origin and carry the session's CSRF token in ``X-CSRF-Token``; bearer requests need
neither, because a browser never attaches that header on its own.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from quart import Request, current_app, g, request

from vclinic import accounts
from vclinic.context import AppContext
from vclinic.errors import Conflict, Forbidden, Unauthorized
from vclinic.sessions.link import resolve_guest

COOKIE = "vclinic_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def ctx() -> AppContext:
    """The AppContext of the running app."""
    return current_app.config["VCLINIC_CONTEXT"]  # type: ignore[no-any-return]


def credential(req: Any) -> tuple[str | None, str | None]:
    """The session token a request or WebSocket handshake carries, and how: cookie or bearer."""
    header = req.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None, "bearer"
    cookie = req.cookies.get(COOKIE)
    if cookie:
        return cookie, "cookie"
    return None, None


def own_origin(req: Any) -> str:
    """The origin this request was addressed to (``scheme://host[:port]``)."""
    scheme = "https" if req.scheme in ("https", "wss") else "http"
    return f"{scheme}://{req.host}"


def origin_allowed(req: Any, extra: Iterable[str]) -> bool:
    """True when the request's Origin header is this server's own origin or a configured one.

    A missing Origin is allowed: browsers send it on every cross-origin and every POST request,
    so its absence means a non-browser client, which CSRF cannot reach.
    """
    origin = req.headers.get("Origin")
    if origin is None:
        return True
    origin = origin.rstrip("/")
    return origin == own_origin(req) or origin in set(extra)


async def resolve_principal(app: AppContext, token: str) -> accounts.Principal | None:
    """Who a ``vclinic_session`` token signs in: a user's session, else a guest's (one cookie
    name for both, so a browser holds one or the other), else None."""
    principal = await accounts.resolve_session(app.store, token)
    if principal is None:
        principal = await resolve_guest(app.store, token)
    return principal


async def load_principal() -> None:
    """``before_request``: resolve the credential into ``g.principal`` and check CSRF."""
    g.principal = None
    g.auth_via = None
    token, via = credential(request)
    if token is not None:
        principal = await resolve_principal(ctx(), token)
        if principal is not None:
            g.principal, g.auth_via = principal, via
    if request.method not in SAFE_METHODS:
        check_csrf(request)


def check_csrf(req: Request) -> None:
    """Refuse a cookie-authenticated or anonymous browser write from a foreign origin, and a
    cookie-authenticated write without the session's CSRF token."""
    if not origin_allowed(req, ctx().settings.origins):
        raise Forbidden("This request came from a page on another site.", code="bad_origin")
    if g.auth_via == "cookie" and req.headers.get(CSRF_HEADER) != g.principal.csrf_token:
        raise Forbidden(
            "The request is missing its security token; reload the page and try again.",
            code="csrf_failed",
        )


def current_principal() -> accounts.Principal:
    """The signed-in principal, or Unauthorized."""
    principal = g.get("principal")
    if principal is None:
        raise Unauthorized("Sign in to continue.")
    return principal  # type: ignore[no-any-return]


def require(*roles: str) -> Callable[[F], F]:
    """Decorator: the handler needs a signed-in user holding one of ``roles`` (any user role if
    none). Guests pass only where ``"guest"`` is named: they reach their session and nothing
    else."""

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal.is_guest and "guest" not in roles:
                raise Forbidden("Guests can only take part in the session they joined.",
                                code="guest_forbidden")
            if roles and not set(roles) & set(principal.roles):
                raise Forbidden("Your account does not have permission to do this.")
            return await handler(*args, **kwargs)

        # Read by the OpenAPI document to declare 401 and 403 (vclinic.server.openapi).
        wrapper.__vclinic_roles__ = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


#: Host names that can only mean this machine: a development node reached from its own browser.
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def link_base(req: Request | None = None) -> str:
    """Where links sent out of band (emails, SMS) point: ``public_url``.

    Without it, the request's own address is used only when it names this machine (a
    development node); otherwise 409 ``public_url_required``, because the Host header is the
    client's to choose and must never decide where a password-reset or join link leads.
    """
    req = req if req is not None else request
    settings = ctx().settings
    if settings.public_url:
        return str(settings.public_url)
    host = urlsplit(req.host_url).hostname or ""
    if host in _LOCAL_HOSTS or (host == settings.host and settings.host not in ("0.0.0.0", "::")):
        return str(req.host_url)
    raise Conflict("Set public_url in the configuration so that emailed links lead to this "
                   "server.", code="public_url_required")
