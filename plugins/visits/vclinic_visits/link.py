"""The client's invite link, ``GET /visits/join/<token>``: the only route without sign-in.

The token is looked up by its SHA-256; the visit's VisitActor checks the link window and the
invite generation, adds (once per generation) the client's guest participant and hands back
the guest's cookie. The browser is redirected to the camera preview, an address without the
token.
"""

from __future__ import annotations

import html
from typing import cast

from quart import Blueprint, Response, g, make_response, redirect, request
from quart_schema import hide

from vclinic.api import NotFound, VclinicError, services, set_session_cookie, token_hash
from vclinic_visits import message as m
from vclinic_visits import record
from vclinic_visits.actor import KIND

blueprint = Blueprint("visits_join", __name__)

_TOKEN_MAX = 128

_REFUSED = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Virtual visit · vclinic</title><link rel="stylesheet" href="/static/css/app.css"></head>
<body class="centered"><main class="card" aria-labelledby="refused-title">
<p class="brand brand-large">vclinic</p>
<h1 id="refused-title">This link cannot be used</h1><p>{message}</p>
</main></body></html>
"""


def _colleague(org_id: str) -> bool:
    """True when the browser is signed in to the visit's organisation (an employee trying the
    link): it keeps its own sign-in and goes to the session; the join policy decides there."""
    principal = g.get("principal")
    return principal is not None and not principal.is_guest and principal.org_id == org_id


@blueprint.get("/visits/join/<token>")
@hide
async def follow(token: str) -> Response:
    """The client's invite link: signs the browser in as the visit's client and redirects
    (303) to the camera check, an address without the token. A link that no longer works
    gets a page saying why (JSON for API clients)."""
    try:
        found = None
        if token and len(token) <= _TOKEN_MAX:
            found = await services().store.run(record.visit_of_token, token_hash(token))
        if found is None:
            raise NotFound("This link is not valid.", code="link_invalid")
        visit_id, org_id, generation = found
        colleague = _colleague(org_id)
        body = await services().ref(KIND, visit_id).call(m.Follow(generation,
                                                                  as_guest=not colleague))
    except VclinicError as exc:
        if request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html":
            raise
        page = await make_response(_REFUSED.format(message=html.escape(exc.message)),
                                   exc.status, {"Content-Type": "text/html; charset=utf-8",
                                                "Referrer-Policy": "no-referrer"})
        return cast(Response, page)
    response: Response = redirect(f"/preview?session={body['session_id']}", 303)  # type: ignore[assignment]
    if body["cookie"] is not None:
        set_session_cookie(response, body["cookie"])
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

