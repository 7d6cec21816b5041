"""Following a session link: ``GET /join/<token>``, then ``GET``/``POST /api/v1/join``.

``/join/<token>`` checks the link, keeps its token in the short-lived ``vclinic_join`` cookie and
redirects (303) to ``/join``, an address without the token (the web UI's join page). That page
asks ``GET /api/v1/join`` what the link is for and posts the guest's display name to
``POST /api/v1/join``, which sets the guest's ``vclinic_session`` cookie and says where to go.
Colleagues already signed in to the practice go straight to the Camera Preview instead.
"""

from __future__ import annotations

import html
from typing import Any, cast
from urllib.parse import urlencode

from pydantic import BaseModel, Field
from quart import Blueprint, Response, g, jsonify, make_response, redirect, request
from quart_schema import hide, tag, validate_request

from vclinic.api import BadRequest, Forbidden, VclinicError, services, set_session_cookie

blueprint = Blueprint("sessions_join", __name__)

#: Cookie holding a followed link's token until the guest gives a name (or signs in).
JOIN_COOKIE = "vclinic_join"
JOIN_COOKIE_SECONDS = 30 * 60

_LINK_REFUSED = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Session link · vclinic</title><link rel="stylesheet" href="/static/css/app.css"></head>
<body class="centered"><main class="card" aria-labelledby="refused-title">
<p class="brand brand-large">vclinic</p>
<h1 id="refused-title">This link cannot be used</h1><p>{message}</p>
<p class="muted">Ask the person who sent you the link for a new one.</p>
</main></body></html>
"""


class JoinBody(BaseModel):
    display_name: str = Field(min_length=1, max_length=60)


def _colleague(org_id: str) -> bool:
    """True when the caller is signed in to the practice that owns the session."""
    principal = g.get("principal")
    return principal is not None and not principal.is_guest and principal.org_id == org_id


def _preview(session_id: str) -> str:
    return f"/preview?session={session_id}"


@blueprint.get("/join/<token>")
@hide
async def follow(token: str) -> Response:
    """Check the link, remember it in a cookie and redirect to ``/join`` (no token). A browser
    following a link that no longer works gets the reason as a page, not as JSON."""
    try:
        info = await services().sessions.join_info(token)
    except VclinicError as exc:
        if request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html":
            raise
        page = await make_response(_LINK_REFUSED.format(message=html.escape(exc.message)),
                                   exc.status, {"Content-Type": "text/html; charset=utf-8",
                                                "Referrer-Policy": "no-referrer"})
        return cast(Response, page)
    if _colleague(info["org_id"]):
        return redirect(_preview(info["session_id"]), 303)  # type: ignore[return-value]
    response: Response = redirect("/join", 303)  # type: ignore[assignment]
    response.set_cookie(JOIN_COOKIE, token, httponly=True, samesite="Lax", path="/",
                        secure=services().settings.secure_cookies, max_age=JOIN_COOKIE_SECONDS)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _token() -> str:
    token = request.cookies.get(JOIN_COOKIE)
    if not token:
        raise BadRequest("Open the session link you were sent again.", code="no_join_link")
    return token


@blueprint.get("/api/v1/join")
@tag(["join"])
async def join_info() -> dict[str, Any]:
    """What the followed link is for: the session's name, whether a display name is needed,
    whether sign-in is required, and where a signed-in colleague goes."""
    info = await services().sessions.join_info(_token())
    colleague = _colleague(info.pop("org_id"))
    info["signed_in"] = colleague
    info["next"] = _preview(info["session_id"]) if colleague else None
    if info["sign_in_required"] and not colleague:
        # Internal and Private sessions: sign in first, then the Camera Preview.
        info["next"] = "/signin?" + urlencode({"next": _preview(info["session_id"])})
    # Someone who already holds a cookie (a guest of another session) needs its CSRF token
    # to post their display name.
    principal = g.get("principal")
    info["csrf_token"] = principal.csrf_token if principal and g.auth_via == "cookie" else None
    return info


@blueprint.post("/api/v1/join")
@tag(["join"])
@validate_request(JoinBody)
async def join(data: JoinBody) -> Response:
    """Join as a guest with a display name: sets the guest's session cookie."""
    app = services()
    token = _token()
    info = await app.sessions.join_info(token)
    if _colleague(info["org_id"]):
        return jsonify({"session_id": info["session_id"], "next": _preview(info["session_id"])})
    if info["sign_in_required"]:
        raise Forbidden("This session is for people of the practice: sign in to join.",
                        code="sign_in_required")
    cookie, body = await app.sessions.join_as_guest(token, data.display_name)
    response = jsonify(body)
    set_session_cookie(response, cookie)
    response.delete_cookie(JOIN_COOKIE, path="/")
    return response
