"""The staff side of On-Demand: ``/api/v1/on_demand/...`` for admins and providers.

Thin handlers: check the caller's role (and, for providers, that they are On-Call), then send
one command to the organisation's QueueActor. See docs/workflows/on_demand.md.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from quart import Blueprint, Response, request
from quart_schema import tag, validate_querystring, validate_request

from vclinic.api import current_principal, require, services
from vclinic_on_demand import intake, poster, queue, record
from vclinic_on_demand import message as m
from vclinic_on_demand.actor import check_claimer, staff_topic

blueprint = Blueprint("on_demand_staff", __name__, url_prefix="/api/v1/on_demand")

#: Most requests one listing page returns: a provider's screen shows the first page.
MAX_PAGE = 200
_ID = Field(min_length=1, max_length=32)


class FieldsBody(BaseModel):
    fields: list[dict[str, Any]] = Field(min_length=1, max_length=intake.MAX_FIELDS)


class OnCallBody(BaseModel):
    on_call: bool


class PageQuery(BaseModel):
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)


class AssignBody(BaseModel):
    provider_id: str = _ID


async def _may_see_queue() -> tuple[Any, bool]:
    principal = current_principal()
    is_admin = "admin" in principal.roles
    on_call = is_admin or await services().store.run(record.is_on_call, principal.user_id)
    check_claimer(is_admin, on_call)
    return principal, is_admin


@blueprint.get("/intake")
@tag(["on_demand"])
@require("admin", "provider", "staff")
async def get_intake() -> dict[str, Any]:
    """The organisation's setup guide (intake questions)."""
    org_id = current_principal().org_id
    return {"fields": await services().store.run(record.fields, org_id)}


@blueprint.put("/intake")
@tag(["on_demand"])
@require("admin")
@validate_request(FieldsBody)
async def put_intake(data: FieldsBody) -> dict[str, Any]:
    """Replace the setup guide (admins): required and optional fields."""
    fields = intake.check_fields(data.fields)
    principal = current_principal()
    return {"fields": await services().store.atomic(record.save_fields, principal.org_id,
                                               principal.user_id, fields)}


@blueprint.get("/public-page")
@tag(["on_demand"])
@require("admin")
async def public_page() -> dict[str, Any]:
    """The organisation's public-facing calendar page (Meet Now): its ``url`` to share and
    ``qr_svg_url``, a QR code of it to print (admins)."""
    principal = current_principal()
    return {"url": poster.page_url(_base_url(), principal.org_slug),
            "qr_svg_url": "/api/v1/on_demand/public-page/qr.svg"}


@blueprint.get("/public-page/qr.svg")
@tag(["on_demand"])
@require("admin")
async def public_page_qr() -> Response:
    """The public page's QR code as SVG, ready to print (admins)."""
    principal = current_principal()
    svg = poster.qr_svg(poster.page_url(_base_url(), principal.org_slug))
    return Response(svg, content_type="image/svg+xml",
                    headers={"Cache-Control": "private, no-store"})


def _base_url() -> str:
    # The configured public address wins: behind a proxy the request's host may be internal.
    return services().settings.public_url or request.host_url


@blueprint.get("/on-call")
@tag(["on_demand"])
@require("provider", "admin")
async def get_on_call() -> dict[str, Any]:
    principal = current_principal()
    return {"on_call": await services().store.run(record.is_on_call, principal.user_id)}


@blueprint.put("/on-call")
@tag(["on_demand"])
@require("provider", "admin")
@validate_request(OnCallBody)
async def put_on_call(data: OnCallBody) -> dict[str, Any]:
    """Switch to On-Call (the On-Demand Requests tab appears) or back. Going Off-Call ends
    the provider's queue subscriptions (``on_demand.off_call``): they get no more rows."""
    principal = current_principal()
    app = services()
    on = await app.store.atomic(record.set_on_call, principal.org_id, principal.user_id,
                                data.on_call)
    if not on:
        app.bus.publish(staff_topic(principal.org_id), {
            "type": "on_demand.off_call", "data": {"user_id": principal.user_id}})
    return {"on_call": on}


@blueprint.get("/providers")
@tag(["on_demand"])
@require("admin")
async def providers() -> dict[str, Any]:
    """Providers available for assignment: those On-Call now."""
    org_id = current_principal().org_id
    return {"providers": await services().store.run(record.on_call_providers, org_id)}


@blueprint.get("/requests")
@tag(["on_demand"])
@validate_querystring(PageQuery)
async def requests(query_args: PageQuery) -> dict[str, Any]:
    """On-Demand Requests: everyone in the queue, longest wait first, one page at a time
    (``offset``, ``limit`` ≤ 200), with ``total`` waiting."""
    principal, _ = await _may_see_queue()
    body: dict[str, Any] = await queue.call(services(), principal.org_id,
                                            m.Listing(query_args.offset, query_args.limit))
    return body


@blueprint.post("/requests/<request_id>/claim")
@tag(["on_demand"])
async def claim(request_id: str) -> dict[str, Any]:
    """Claim: creates the session (you are its chair, the patient a guest) and pulls the
    patient in. 409 ``already_claimed`` when someone else was first."""
    principal, is_admin = await _may_see_queue()
    body: dict[str, Any] = await queue.call(services(), principal.org_id,
                                            m.Claim(request_id, principal.user_id, is_admin))
    await services().sessions.audit(principal, "request.admitted", request_id,
                                    str(body["session_id"]))
    return body


@blueprint.post("/requests/<request_id>/assign")
@tag(["on_demand"])
@require("admin")
@validate_request(AssignBody)
async def assign(request_id: str, data: AssignBody) -> dict[str, Any]:
    """Assign to an On-Call provider, who is notified and claims it from their Session List."""
    principal = current_principal()
    body: dict[str, Any] = await queue.call(services(), principal.org_id,
                                            m.Assign(request_id, data.provider_id,
                                                     principal.user_id))
    return body


@blueprint.post("/requests/<request_id>/decline")
@tag(["on_demand"])
@require("admin")
async def decline(request_id: str) -> dict[str, Any]:
    """Decline: the patient is emailed, told under the bell if they have an account, and
    their waiting page says so."""
    principal = current_principal()
    body: dict[str, Any] = await queue.call(services(), principal.org_id,
                                            m.Decline(request_id, principal.user_id))
    return body
