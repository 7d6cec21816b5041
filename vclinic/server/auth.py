"""Sign-in, sign-out and "who am I": the ``/api/v1/auth`` and ``/api/v1/me`` routes."""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel, Field
from quart import Blueprint, Response, g, jsonify, make_response, request
from quart_schema import tag, validate_request

from vclinic import accounts
from vclinic.errors import RateLimited, Unauthorized
from vclinic.log import get_logger
from vclinic.server.security import COOKIE, credential, ctx, current_principal
from vclinic.store import audit

blueprint = Blueprint("auth", __name__, url_prefix="/api/v1")
log = get_logger("auth")


class SigninBody(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


def principal_body(principal: accounts.Principal) -> dict[str, Any]:
    """The JSON a client sees of its own principal (no password, no token)."""
    return {
        "id": principal.user_id,
        "name": principal.name,
        "email": principal.email,
        "roles": sorted(principal.roles),
        "is_station": principal.is_station,
        "organisation": {"id": principal.org_id, "slug": principal.org_slug},
    }


@blueprint.post("/auth/signin")
@tag(["auth"])
@validate_request(SigninBody)
async def signin(data: SigninBody) -> Response:
    """Sign in with email and password; sets the session cookie and returns the CSRF token."""
    app = ctx()
    attempt = accounts.Attempt(data.email, request.remote_addr,
                               request.cookies.get(accounts.DEVICE_COOKIE, ""))
    try:
        app.limiter.check(attempt)
    except RateLimited:
        app.metrics.signin_failures.labels(reason="locked_out").inc()
        log.info("signin_refused_locked_out", client=attempt.client)
        raise
    try:
        user = await accounts.authenticate(app.store, data.email, data.password)
    except Unauthorized:
        locked = app.limiter.failed(attempt)
        app.metrics.signin_failures.labels(reason="invalid_credentials").inc()
        # Ids only: the account's id when the email has one, never the email itself.
        user_id = await accounts.user_id_for_email(app.store, data.email)
        log.info("signin_failed", user_id=user_id, client=attempt.client)
        if user_id is not None:
            await app.store.atomic(audit.record_about_user, user_id, None, "user.signin_failed")
        for limit in locked:
            app.metrics.signin_lockouts.labels(limit=limit).inc()
            log.warning("signin_locked_out", limit=limit, user_id=user_id, client=attempt.client)
        raise
    device = app.limiter.succeeded(attempt)
    token, _ = await accounts.start_session(app.store, user, app.settings)
    principal = await accounts.resolve_session(app.store, token)
    assert principal is not None
    response = jsonify({"user": principal_body(principal), "csrf_token": principal.csrf_token})
    # The cookie lives as long as the session may: a station's follows station_idle_hours.
    _, lifetime = accounts.session_lifetimes(app.settings, principal.is_station)
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="Lax", secure=app.settings.secure_cookies,
        path="/", max_age=int(lifetime.total_seconds()),
    )
    # Marks this browser as a known device of the account: the per-account backstop of the
    # sign-in lockout never refuses it (see vclinic.accounts.lockout).
    response.set_cookie(
        accounts.DEVICE_COOKIE, device, httponly=True, samesite="Lax",
        secure=app.settings.secure_cookies, path="/api/v1/auth",
        max_age=accounts.DEVICE_COOKIE_SECONDS,
    )
    return response


@blueprint.post("/auth/signout")
@tag(["auth"])
async def signout() -> Response:
    """End the current session (whether or not it is still valid) and clear the cookie."""
    token, _ = credential(request)
    if token is not None:
        await accounts.end_session(ctx().store, token)
    # Built through make_response: a bare Response(status=204) makes quart iterate its empty
    # body with asyncio, which fails under trio and drops the connection.
    response = cast(Response, await make_response("", 204))
    response.delete_cookie(COOKIE, path="/")
    return response


@blueprint.get("/me")
@tag(["auth"])
async def me() -> dict[str, Any]:
    """The signed-in user, their organisation, the CSRF token and the enabled workflows."""
    principal = current_principal()
    if principal.is_guest:
        # A guest sees their display name and their session, nothing of the practice.
        return {
            "user": {"id": principal.user_id, "name": principal.name, "roles": ["guest"],
                     "guest": True, "session_id": principal.guest_session_id,
                     "participant_id": principal.participant_id},
            "csrf_token": principal.csrf_token if g.auth_via == "cookie" else None,
            "workflows": [],
        }
    return {
        "user": principal_body(principal),
        "csrf_token": principal.csrf_token if g.auth_via == "cookie" else None,
        "workflows": [
            {"name": p.name, "title": p.title} for p in ctx().plugins.installed() if p.enabled
        ],
    }
