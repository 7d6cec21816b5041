"""The links people follow, the only routes without sign-in.

``GET /conference/join/<token>``: a person's own link. A patient becomes their own guest
participant of the event's session (the same one every time); a staff member must be signed in
as themselves. ``POST /conference/public/<token>`` with a display name: the event's public link,
which makes an anonymous guest known only by that name. Tokens are looked up by their SHA-256;
a cancelled conference's links no longer work. The browser goes on to the camera check, an
address without the token.
"""

from __future__ import annotations

import html
from typing import Any, cast

from pydantic import BaseModel, Field
from quart import Blueprint, Response, g, make_response, redirect, request
from quart_schema import hide, validate_request

from vclinic.api import (
    BadRequest,
    Forbidden,
    Gone,
    NotFound,
    Unauthorized,
    VclinicError,
    services,
    set_session_cookie,
    token_hash,
)
from vclinic_public_conference import message as m
from vclinic_public_conference import record, rules
from vclinic_public_conference.actor import KIND
from vclinic_public_conference.model import Event

blueprint = Blueprint("public_conference_join", __name__)

_TOKEN_MAX = 128


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conference · vclinic</title><link rel="stylesheet" href="/static/css/app.css"></head>
<body class="centered"><main class="card" aria-labelledby="page-title">
<p class="brand brand-large">vclinic</p>
{content}
</main></body></html>
"""

_JOIN = """<h1 id="page-title">{title}</h1>
<form id="public-join">
<label for="display-name">Your name</label>
<input id="display-name" name="display_name" required maxlength="100" autocomplete="name">
<button type="submit">Join Conference</button>
</form>
<p id="public-status" role="status"></p>
<script type="module" src="/static/conference/public.js"></script>"""

_REFUSED = """<h1 id="page-title">This link cannot be used</h1><p>{message}</p>"""


def _wants_html() -> bool:
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


async def _page(content: str, status: int = 200) -> Response:
    page = await make_response(_PAGE.format(content=content), status,
                               {"Content-Type": "text/html; charset=utf-8",
                                "Referrer-Policy": "no-referrer"})
    return cast(Response, page)


async def _refused(exc: VclinicError) -> Response:
    if not _wants_html():
        raise exc
    return await _page(_REFUSED.format(message=html.escape(exc.message)), exc.status)


class GuestIn(BaseModel):
    display_name: str = Field(min_length=1, max_length=100)


def _usable(row: Event) -> str:
    if row.status == "cancelled":
        raise Gone(rules.CANCELLED, code="conference_cancelled")
    if row.session_id is None:
        raise NotFound(rules.LINK_INVALID, code="link_invalid")
    return str(row.session_id)


def _enter(session_id: str, cookie: str | None) -> Response:
    response: Response = redirect(f"/preview?session={session_id}", 303)  # type: ignore[assignment]
    if cookie is not None:
        set_session_cookie(response, cookie)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blueprint.get("/conference/join/<token>")
@hide
async def follow(token: str) -> Response:
    """A person's own link: signs a patient in as their guest participant, lets the linked
    staff member (signed in) through, and redirects (303) to the camera check. A link that
    cannot be used gets a page saying why (JSON for API clients)."""
    try:
        return await _follow(token)
    except VclinicError as exc:
        return await _refused(exc)


async def _follow(token: str) -> Response:
    store = services().store
    found = None
    if token and len(token) <= _TOKEN_MAX:
        found = await store.run(record.find_member, token_hash(token))
    if found is None:
        raise NotFound(rules.LINK_INVALID, code="link_invalid")
    person, row = found
    session_id = _usable(row)
    if person.kind == "staff":
        principal = g.get("principal")
        if principal is None or principal.is_guest:
            raise Unauthorized(rules.SIGN_IN, code="sign_in_required")
        if principal.user_id != person.user_id:
            raise Forbidden(rules.NOT_LINKED, code="not_linked")
        return _enter(session_id, None)
    body = await services().ref(KIND, row.id).call(m.FollowPatient(person.id))
    return _enter(body["session_id"], body["cookie"])


@blueprint.get("/conference/public/<token>")
@hide
async def public_info(token: str) -> Response | dict[str, Any]:
    """What the public link is for: the conference's title and that a display name is asked;
    a browser gets the page asking for the name."""
    try:
        row = await _public(token)
        _usable(row)
    except VclinicError as exc:
        return await _refused(exc)
    if _wants_html():
        return await _page(_JOIN.format(title=html.escape(row.title)))
    return {"title": row.title, "display_name_required": True}


@blueprint.post("/conference/public/<token>")
@hide
@validate_request(GuestIn)
async def public_join(token: str, data: GuestIn) -> Response:
    """Join through the public link: an anonymous guest known only by their display name."""
    row = await _public(token)
    session_id = _usable(row)
    name = " ".join(data.display_name.split())
    if not name:
        raise BadRequest(rules.DISPLAY_NAME, code="invalid_display_name")
    sessions = services().sessions
    participant_id = await sessions.add_guest(session_id, name)
    cookie, _ = await sessions.start_guest(session_id, participant_id)
    return _enter(session_id, cookie)


async def _public(token: str) -> Event:
    found = None
    if token and len(token) <= _TOKEN_MAX:
        found = await services().store.run(record.find_public, token_hash(token))
    if found is None:
        raise NotFound(rules.LINK_INVALID, code="link_invalid")
    return found
