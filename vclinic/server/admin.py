"""The clinic admin's API under ``/api/v1``: accounts (roles, deactivation, password resets),
Account Services, the organisation's settings, the sessions in progress and the audit trail.

Thin handlers for the admin pages (``/admin``): admins only, each change audited by the domain
function that makes it. See docs/api.md, "Administration".
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel, Field
from quart import Blueprint, Response, make_response
from quart_schema import tag, validate_querystring, validate_request

from vclinic.accounts import activity, membership, organisation, reset, service
from vclinic.errors import BadRequest
from vclinic.server.security import ctx, current_principal, link_base, require
from vclinic.sessions.link import link_key

blueprint = Blueprint("admin_api", __name__, url_prefix="/api/v1")


class UserChangeBody(BaseModel):
    roles: list[str] | None = Field(default=None, min_length=1, max_length=4)
    active: bool | None = None


class PasswordBody(BaseModel):
    password: str = Field(min_length=1, max_length=1024)


class ServiceBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class ActivityQuery(BaseModel):
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=50, ge=1, le=activity.MAX_PAGE)


class OrganisationBody(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(default=None, min_length=1, max_length=64)


async def _no_content() -> Response:
    # Through make_response: a bare Response(status=204) fails under trio (see auth.signout).
    return cast(Response, await make_response("", 204))


@blueprint.patch("/users/<user_id>")
@tag(["administration"])
@require("admin")
@validate_request(UserChangeBody)
async def change_user(user_id: str, data: UserChangeBody) -> dict[str, Any]:
    """Change an account's roles (``roles``) or deactivate / reactivate it (``active``).

    Deactivating signs the account out everywhere. 409 ``last_admin`` when the change would
    leave the organisation without an active admin, ``self_deactivation`` for your own account.
    """
    if data.roles is None and data.active is None:
        raise BadRequest("Say what to change: roles, active or both.", code="nothing_to_change")
    principal = current_principal()
    user = await membership.change_user(ctx().store, principal.org_id, principal.user_id,
                                        user_id, data.roles, data.active)
    return {"user": user}


@blueprint.post("/users/<user_id>/password")
@tag(["administration"])
@require("admin")
@validate_request(PasswordBody)
async def reset_password(user_id: str, data: PasswordBody) -> Response:
    """Set a password for the account (tell it to them in person); signs them out everywhere.
    204 on success."""
    principal = current_principal()
    await membership.reset_password(ctx().store, principal.org_id, principal.user_id, user_id,
                                    data.password)
    return await _no_content()


@blueprint.post("/users/<user_id>/password-reset-email")
@tag(["administration"])
@require("admin")
async def email_password_reset(user_id: str) -> tuple[dict[str, Any], int]:
    """Email the account a link to set a new password (valid 24 hours, once) through the
    outbox; 202 once queued. 409 ``user_inactive`` for a deactivated account."""
    app, principal = ctx(), current_principal()
    base = link_base()
    await reset.email_reset(app.store, link_key(app.settings.data_dir), principal.org_id,
                            principal.user_id, user_id, base)
    app.mailer.wake()
    return {"queued": True}, 202


@blueprint.post("/services")
@tag(["administration"])
@require("admin")
@validate_request(ServiceBody)
async def add_service(data: ServiceBody) -> tuple[dict[str, Any], int]:
    """Add an Account Service; 409 ``service_exists`` if the name is taken."""
    principal = current_principal()
    body = await service.add_service(ctx().store, principal.org_id, principal.user_id,
                                     data.name)
    return {"service": body}, 201


@blueprint.patch("/services/<service_id>")
@tag(["administration"])
@require("admin")
@validate_request(ServiceBody)
async def rename_service(service_id: str, data: ServiceBody) -> dict[str, Any]:
    """Rename an Account Service; 409 ``service_exists`` if another one has the name."""
    principal = current_principal()
    body = await service.rename_service(ctx().store, principal.org_id, principal.user_id,
                                        service_id, data.name)
    return {"service": body}


@blueprint.delete("/services/<service_id>")
@tag(["administration"])
@require("admin")
async def remove_service(service_id: str) -> Response:
    """Remove an Account Service: requesters no longer pick it; past requests keep it. 204."""
    principal = current_principal()
    await service.remove_service(ctx().store, principal.org_id, principal.user_id, service_id)
    return await _no_content()


@blueprint.patch("/organisation")
@tag(["administration"])
@require("admin")
@validate_request(OrganisationBody)
async def change_organisation(data: OrganisationBody) -> dict[str, Any]:
    """Rename the organisation or set its time zone (an IANA name such as ``Europe/Paris``);
    its address (slug) stays."""
    if data.name is None and data.timezone is None:
        raise BadRequest("Say what to change: name, timezone or both.",
                         code="nothing_to_change")
    principal = current_principal()
    body = await organisation.update_org(ctx().store, principal.org_id, principal.user_id,
                                         data.name, data.timezone)
    return {"organisation": body}


@blueprint.get("/admin/sessions")
@tag(["administration"])
@require("admin")
async def sessions_in_progress() -> dict[str, Any]:
    """The organisation's open sessions, oldest first: ``id``, ``workflow``, ``access_level``,
    ``started_at``, ``scheduled_at``, ``participants`` (listed) and ``present`` (connected)."""
    return {"sessions": await ctx().sessions.in_progress(current_principal())}


@blueprint.post("/admin/sessions/<session_id>/end")
@tag(["administration"])
@require("admin")
async def end_session(session_id: str) -> dict[str, Any]:
    """End for Everyone: closes the session; everyone in it is disconnected and its links stop
    working. 404 for a session of another organisation, 410 when it is already closed."""
    return {"session": await ctx().sessions.end_as_admin(current_principal(), session_id)}


@blueprint.get("/admin/activity")
@tag(["administration"])
@validate_querystring(ActivityQuery)
@require("admin")
async def recent_activity(query_args: ActivityQuery) -> dict[str, Any]:
    """The organisation's audit trail, newest first: ``events`` (``action``, ``actor_id``,
    ``actor_name``, ``target_ids``, ``created_at``), ``total``, ``offset``, ``limit`` (≤ 200)."""
    return await activity.recent(ctx().store, current_principal().org_id, query_args.offset,
                                 query_args.limit)
