"""The public calendar's API: its bookable times and booking one (public, rate-limited), and
its settings (admins). See docs/workflows/on_demand.md, "The public calendar"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from quart import Blueprint, current_app, request
from quart_schema import tag, validate_request

from vclinic.api import BadRequest, current_principal, require, services, utcnow
from vclinic_on_demand import booking, intake, record, slots
from vclinic_on_demand.limit import PublicLimit

blueprint = Blueprint("on_demand_calendar", __name__)

#: Bookings one address may attempt per window; listing times is cheaper and limited higher.
BOOKINGS = (10, 600.0)
LISTINGS = (120, 60.0)


class Range(BaseModel):
    day: str = Field(max_length=10)
    start: str = Field(max_length=5)
    end: str = Field(max_length=5)


class SettingsBody(BaseModel):
    slot_minutes: int = 30
    time_zone: str = Field(default="UTC", max_length=64)
    #: ``{provider user id: [ranges]}``.
    hours: dict[str, list[Range]] = Field(default_factory=dict, max_length=200)


class BookingBody(BaseModel):
    provider_id: str = Field(min_length=1, max_length=32)
    starts_at: dt.datetime
    name: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=3, max_length=254)
    answers: dict[str, Any] = Field(default_factory=dict, max_length=intake.MAX_FIELDS)
    #: The visitor's IANA time zone (the page sends the browser's), for the email's wording.
    time_zone: str = Field(default="UTC", max_length=64)


def _limit(name: str, attempts: int, window_seconds: float) -> None:
    """Count this call against the client's address under the app's ``name`` limit (each app
    keeps its own, in ``app.extensions``)."""
    limits = current_app.extensions.setdefault("on_demand_calendar_limits", {})
    limit = limits.get(name)
    if limit is None:
        limit = limits[name] = PublicLimit(attempts, window_seconds)
    limit.check(request.remote_addr or "unknown")


@blueprint.get("/api/v1/on_demand/calendar")
@tag(["on_demand"])
@require("admin")
async def get_settings() -> dict[str, Any]:
    """The public calendar's settings and the providers whose weekly hours it may hold."""
    org_id = current_principal().org_id
    store = services().store
    return {**await store.run(booking.settings, org_id),
            "providers": await store.run(booking.providers, org_id)}


@blueprint.put("/api/v1/on_demand/calendar")
@tag(["on_demand"])
@require("admin")
@validate_request(SettingsBody)
async def put_settings(data: SettingsBody) -> dict[str, Any]:
    """Replace the slot length, time zone and every provider's weekly hours (admins)."""
    principal = current_principal()
    store = services().store
    hours = {k: [r.model_dump() for r in v] for k, v in data.hours.items()}
    saved = await store.atomic(booking.save_settings, principal.org_id, principal.user_id,
                               data.slot_minutes, data.time_zone, hours)
    return {**saved, "providers": await store.run(booking.providers, principal.org_id)}


@blueprint.get("/api/v1/on_demand/orgs/<slug>/slots")
@tag(["on_demand public"])
async def free_slots(slug: str) -> dict[str, Any]:
    """The bookable times of the next 14 days, by provider, in UTC."""
    _limit("listings", *LISTINGS)
    org = await services().store.run(record.org_by_slug, slug)
    body: dict[str, Any] = await services().store.run(booking.free_slots, org.id, utcnow())
    return body


@blueprint.post("/api/v1/on_demand/orgs/<slug>/bookings")
@tag(["on_demand public"])
@validate_request(BookingBody)
async def book(slug: str, data: BookingBody) -> tuple[dict[str, Any], int]:
    """Book a time: an appointment with the provider, a confirmation email with an iCalendar
    invitation. 409 ``slot_taken`` when someone else was first; 400 ``intake_incomplete``
    (``details.missing``) while required setup guide answers are missing."""
    _limit("bookings", *BOOKINGS)
    app = services()
    name, email = intake.check_patient(data.name, data.email)
    if data.starts_at.tzinfo is None:
        raise BadRequest("Give the time with its time zone.", code="invalid_time")
    starts_at = data.starts_at.astimezone(dt.UTC)
    zone = slots.check_zone(data.time_zone)
    org = await app.store.run(record.org_by_slug, slug)
    fields = await app.store.run(record.fields, org.id)
    answers = {k: intake.check_answer(fields, k, v) for k, v in data.answers.items()}
    missing = [f["key"] for f in fields if f["required"] and answers.get(f["key"]) in
               (None, "", False)]
    if missing:
        raise BadRequest("Answer the required questions of the setup guide.",
                         code="intake_incomplete", missing=missing)
    body = await app.store.atomic(booking.book, org.id, org.name, data.provider_id, starts_at,
                                  name, email, answers, utcnow(), zone, app.settings.smtp_from)
    app.mailer.wake()
    return {"booking": body}, 201
