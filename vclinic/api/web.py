"""Route guards, the current principal and the node's services for plugin routes.

Guards decorate ``async`` quart handlers and run before them; they raise
:class:`~vclinic.errors.Unauthorized` (401) when nobody is signed in and
:class:`~vclinic.errors.Forbidden` (403) when the principal may not pass, and the web layer turns
either into ``{"error": {"code", "message"}}``. Guests (people who joined through a session link)
pass only a guard that names ``"guest"``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from quart import Response

from vclinic.accounts import Principal
from vclinic.context import AppContext
from vclinic.errors import Forbidden
from vclinic.server import security
from vclinic.sessions.link import GUEST_HOURS

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

#: The cookie that signs a browser in (a user's session or a guest's).
SESSION_COOKIE = security.COOKIE

#: The roles of the people of a practice (not requester stations, not guests).
STAFF_ROLES = ("provider", "staff", "admin")

current_principal = security.current_principal
require = security.require
origin_allowed = security.origin_allowed
link_base = security.link_base


def services() -> AppContext:
    """The node's services (store, sessions, bus, timers...) inside a request or WebSocket."""
    return security.ctx()


def require_signin(handler: F) -> F:
    """The handler needs a signed-in user of any role (not a guest)."""
    return require()(handler)


def require_staff(handler: F) -> F:
    """The handler needs a provider, staff member or admin of the organisation."""
    return require(*STAFF_ROLES)(handler)


def require_admin(handler: F) -> F:
    """The handler needs an admin of the organisation."""
    return require("admin")(handler)


def require_station(handler: F) -> F:
    """The handler needs a requester station account (a shared device of the practice)."""

    @require_signin
    @functools.wraps(handler)
    async def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_principal().is_station:
            raise Forbidden("Only requester stations can do this.", code="not_station")
        return await handler(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def set_session_cookie(response: Response, token: str, *, hours: int = GUEST_HOURS) -> None:
    """Sign the browser in with ``token`` (from ``SessionService.start_guest``): an HttpOnly,
    SameSite=Lax cookie, Secure when the deployment says so."""
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax", path="/",
                        secure=services().settings.secure_cookies, max_age=hours * 3600)


__all__ = [
    "SESSION_COOKIE",
    "STAFF_ROLES",
    "Principal",
    "current_principal",
    "origin_allowed",
    "require",
    "require_admin",
    "require_signin",
    "require_staff",
    "require_station",
    "services",
    "set_session_cookie",
]
