"""The staff side of On-Demand: ``/api/v1/on_demand/...`` for admins and providers.

Thin handlers: check the caller's role (and, for providers, that they are On-Call), then send
one command to the organisation's QueueActor. See docs/workflows/on_demand.md.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from quart import Blueprint
from quart_schema import tag, validate_querystring, validate_request

from vclinic.api import current_principal, require, services
from vclinic_on_demand import intake, queue, record
from vclinic_on_demand import message as m
from vclinic_on_demand.actor import check_claimer

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
    org_id = current_principal().org_id
    return {"fields": await services().store.atomic(record.save_fields, org_id, fields)}


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
    """Switch to On-Call (the On-Demand Requests tab appears) or back."""
    principal = current_principal()
    on = await services().store.atomic(record.set_on_call, principal.org_id, principal.user_id,
                                       data.on_call)
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
