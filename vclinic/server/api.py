"""Core REST API under ``/api/v1``: the caller's organisation, its services and its users."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from quart import Blueprint
from quart_schema import document_response, tag, validate_querystring, validate_request

from vclinic import accounts
from vclinic.accounts import reset
from vclinic.errors import BadRequest
from vclinic.server.security import ctx, current_principal, link_base, require
from vclinic.sessions.link import link_key
from vclinic.store.cursor import DEFAULT_LIMIT, MAX_LIMIT

blueprint = Blueprint("core_api", __name__, url_prefix="/api/v1")


class NewUserBody(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    #: Required unless ``invite``: then the person chooses it from the emailed link.
    password: str | None = Field(default=None, max_length=1024)
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(pattern="^(admin|provider|staff|requester)$")
    station: bool = False
    invite: bool = False


@blueprint.get("/organisation")
@tag(["organisation"])
@require()
async def organisation() -> dict[str, Any]:
    """The caller's organisation with its Account Services."""
    principal = current_principal()
    return await accounts.organisation_summary(ctx().store, principal.org_id)


class UsersQuery(BaseModel):
    #: Users per page, and the ``next_cursor`` of the previous page (none: the first).
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, min_length=1, max_length=200)


class UsersPage(BaseModel):
    users: list[dict[str, Any]]
    #: Users in the whole organisation.
    total: int
    #: Pass as ``cursor`` for the next page; null on the last page.
    next_cursor: str | None


@blueprint.get("/users")
@tag(["organisation"])
@validate_querystring(UsersQuery)
@document_response(UsersPage)
@require("admin")
async def list_users(query_args: UsersQuery) -> dict[str, Any]:
    """The users of the caller's organisation by name, a page at a time (admins only).

    ``limit`` (1 to 200, default 50) users per page: ``users``, ``total`` (in the organisation)
    and ``next_cursor``, to pass as ``cursor`` for the next page (null on the last). 400
    ``invalid_cursor`` for a cursor the server did not hand out."""
    principal = current_principal()
    page = await accounts.list_users(ctx().store, principal.org_id, query_args.limit,
                                     query_args.cursor)
    return {"users": page.items, "total": page.total, "next_cursor": page.next_cursor}


@blueprint.post("/users")
@tag(["organisation"])
@require("admin")
@validate_request(NewUserBody)
async def create_user(data: NewUserBody) -> tuple[dict[str, Any], int]:
    """Create a user in the caller's organisation (admins only): with the ``password`` you
    give them, or with ``invite`` an email (through the outbox) with a link to choose their own,
    valid 72 hours."""
    app, principal = ctx(), current_principal()
    if data.invite:
        user = await reset.invite_user(
            app.store, link_key(app.settings.data_dir), principal.org_slug, principal.user_id,
            data.email, data.role, data.name, data.station,
            link_base())
        app.mailer.wake()
    else:
        if data.password is None:
            raise BadRequest("Give a first password, or invite them by email.",
                             code="password_required", field="password")
        user = await accounts.create_user(
            app.store, principal.org_slug, data.email, data.password, data.role, data.name,
            station=data.station, actor_id=principal.user_id,
        )
    return {"user": accounts.user_summary(user, [data.role])}, 201
