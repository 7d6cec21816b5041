"""ProviderState: one provider's availability and session requests, synchronous and loop-free.

Owned by the ProviderActor, which feeds it one command at a time, saves ``to_dict()`` as its
snapshot before replying, publishes the :class:`Publish` events and arms the
:class:`ArmExpiry` timers it returns. Accepting is split in two (``check_accept`` then
``accepted``) because the actor creates the session in between.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from vclinic.api import BadRequest, Conflict, NotFound
from vclinic_virtual_clinic import message as m

PENDING, ACCEPTED, DECLINED, EXPIRED = "pending", "accepted", "declined", "expired"
#: Why a request was declined (``reason``): the requester's dashboard words each one.
BY_PROVIDER = "declined_by_provider"
UNAVAILABLE = "provider_unavailable"
WENT_UNAVAILABLE = "provider_went_unavailable"
#: Requests kept once they are over (accepted ones let a second tab hear "already accepted").
KEEP_CLOSED = 100

Outcome = tuple[Any, list[Any]]


def iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


@dataclasses.dataclass
class Request:
    """One request from a requester to this provider."""

    id: str
    requester_id: str
    requester_name: str
    service_id: str | None
    service_name: str | None
    created_at: float
    expires_at: float
    status: str = PENDING
    reason: str | None = None
    note: str | None = None
    session_id: str | None = None
    closed_at: float | None = None

    def public(self, provider_id: str, provider_name: str) -> dict[str, Any]:
        return {"id": self.id, "provider_id": provider_id, "provider_name": provider_name,
                "requester_id": self.requester_id, "requester_name": self.requester_name,
                "service_id": self.service_id, "service_name": self.service_name,
                "status": self.status, "reason": self.reason, "note": self.note,
                "session_id": self.session_id, "created_at": iso(self.created_at),
                "expires_at": iso(self.expires_at)}


class ProviderState:
    """Availability and requests of ``provider_id``; ``handle(command) -> (reply, effects)``."""

    def __init__(self, provider_id: str, org_id: str = "", name: str = "",
                 available: bool = False, requests: list[Request] | None = None) -> None:
        self.provider_id = provider_id
        self.org_id = org_id
        self.name = name
        self.available = available
        self.requests = {r.id: r for r in requests or []}

    # Snapshot ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"org_id": self.org_id, "name": self.name, "available": self.available,
                "requests": [dataclasses.asdict(r) for r in self.requests.values()]}

    @classmethod
    def from_dict(cls, provider_id: str, data: dict[str, Any]) -> ProviderState:
        fields = {f.name for f in dataclasses.fields(Request)}
        requests = [Request(**{k: v for k, v in r.items() if k in fields})
                    for r in data.get("requests", ())]
        return cls(provider_id, str(data.get("org_id", "")), str(data.get("name", "")),
                   bool(data.get("available", False)), requests)

    def restore(self) -> list[Any]:
        """Timers to re-arm after a restart: one per pending request, at its stored deadline."""
        return [m.ArmExpiry(r.id, r.expires_at) for r in self.requests.values()
                if r.status == PENDING]

    # Views ------------------------------------------------------------------------------------

    def public(self, request: Request) -> dict[str, Any]:
        return request.public(self.provider_id, self.name)

    def status(self, requester_id: str | None) -> dict[str, Any]:
        """Availability and requests (newest first): all pending ones for the provider, or a
        requester's own pending and not yet dismissed ones."""
        if requester_id is None:
            shown = [r for r in self.requests.values() if r.status == PENDING]
        else:
            shown = [r for r in self.requests.values() if r.requester_id == requester_id
                     and r.status in (PENDING, DECLINED, EXPIRED)]
        shown.sort(key=lambda r: r.created_at, reverse=True)
        return {"provider_id": self.provider_id, "available": self.available,
                "requests": [self.public(r) for r in shown]}

    def _events(self, request: Request, kind: str, provider_too: bool = True) -> list[Any]:
        data = {"request": self.public(request)}
        events: list[Any] = [m.Publish(f"user:{request.requester_id}", kind, data)]
        if provider_too:
            events.append(m.Publish(f"user:{self.provider_id}", kind, data))
        return events

    def _find(self, request_id: str, requester_id: str | None = None) -> Request:
        request = self.requests.get(request_id)
        if request is None or (requester_id is not None and request.requester_id != requester_id):
            raise NotFound("There is no such session request.", code="request_not_found")
        return request

    def _pending(self, request_id: str) -> Request:
        request = self._find(request_id)
        if request.status == ACCEPTED:
            raise Conflict("This request was already accepted.",
                           code="request_already_accepted")
        if request.status != PENDING:
            raise Conflict(f"This request is no longer waiting (it was {request.status}).",
                           code="request_closed")
        return request

    def _close(self, request: Request, status: str, reason: str | None, now: float) -> None:
        request.status, request.reason, request.closed_at = status, reason, now
        closed = sorted((r for r in self.requests.values() if r.status == ACCEPTED),
                        key=lambda r: r.closed_at or 0)
        for old in closed[:max(0, len(closed) - KEEP_CLOSED)]:
            del self.requests[old.id]

    # Commands ---------------------------------------------------------------------------------

    def handle(self, command: m.Command) -> Outcome:
        match command:
            case m.SetAvailability():
                return self._set_availability(command)
            case m.RequestSession():
                return self._request(command)
            case m.Decline():
                return self._decline(command)
            case m.Cancel():
                return self._cancel(command)
            case m.Dismiss():
                return self._dismiss(command)
            case m.Expire():
                return self._expire(command)
            case m.Status():
                return self.status(command.requester_id), []
            case m.Accept():
                raise BadRequest("Accept goes through check_accept and accepted.")
        raise BadRequest("Unknown provider command.")

    def _set_availability(self, c: m.SetAvailability) -> Outcome:
        self.org_id, self.name = c.org_id, c.provider_name
        events: list[Any] = []
        if self.available != c.available:
            self.available = c.available
            data = {"provider_id": self.provider_id, "available": c.available}
            events += [m.Publish(f"user:{self.provider_id}", "virtual_clinic.availability", data),
                       m.Publish(f"virtual_clinic:{self.org_id}",
                                 "virtual_clinic.availability", data)]
        if not c.available:
            # Going unavailable declines what is waiting: nobody will answer it.
            for request in self._newest(PENDING):
                self._close(request, DECLINED, WENT_UNAVAILABLE, c.now)
                events += self._events(request, "virtual_clinic.request_declined")
        return {"available": self.available}, events

    def _newest(self, status: str) -> list[Request]:
        return sorted((r for r in self.requests.values() if r.status == status),
                      key=lambda r: r.created_at, reverse=True)

    def _request(self, c: m.RequestSession) -> Outcome:
        self.org_id, self.name = c.org_id, c.provider_name
        for other in self.requests.values():
            if other.requester_id != c.requester_id:
                continue
            if other.status == PENDING:
                raise Conflict("You already have a request waiting for this provider.",
                               code="request_pending")
            if other.status in (DECLINED, EXPIRED):
                raise Conflict("Dismiss the earlier answer of this provider before trying "
                               "again.", code="dismiss_first")
        request = Request(c.request_id, c.requester_id, c.requester_name, c.service_id,
                          c.service_name, created_at=c.now, expires_at=c.expires_at)
        self.requests[request.id] = request
        if not self.available:
            # Declined at once, and the provider gets no alert.
            self._close(request, DECLINED, UNAVAILABLE, c.now)
            return (self.public(request),
                    self._events(request, "virtual_clinic.request_declined", provider_too=False))
        events = self._events(request, "virtual_clinic.request_created")
        return self.public(request), [*events, m.ArmExpiry(request.id, request.expires_at)]

    def check_accept(self, request_id: str) -> Request:
        """The pending request to accept; Conflict when another tab won, NotFound if unknown."""
        return self._pending(request_id)

    def accepted(self, request_id: str, session_id: str, now: float) -> Outcome:
        request = self._pending(request_id)
        request.session_id = session_id
        self._close(request, ACCEPTED, None, now)
        return self.public(request), self._events(request, "virtual_clinic.request_accepted")

    def _decline(self, c: m.Decline) -> Outcome:
        request = self._pending(c.request_id)
        request.note = c.note
        self._close(request, DECLINED, BY_PROVIDER, c.now)
        return self.public(request), self._events(request, "virtual_clinic.request_declined")

    def _cancel(self, c: m.Cancel) -> Outcome:
        request = self._find(c.request_id, c.requester_id)
        if request.status != PENDING:
            raise Conflict(f"This request is no longer waiting (it was {request.status}).",
                           code="request_closed")
        del self.requests[request.id]
        request.status = "cancelled"
        return self.public(request), self._events(request, "virtual_clinic.request_cancelled")

    def _dismiss(self, c: m.Dismiss) -> Outcome:
        request = self._find(c.request_id, c.requester_id)
        if request.status not in (DECLINED, EXPIRED):
            raise Conflict("Only a declined or expired request can be dismissed.",
                           code="request_not_dismissable")
        del self.requests[request.id]
        return {}, self._events(request, "virtual_clinic.request_dismissed", provider_too=False)

    def _expire(self, c: m.Expire) -> Outcome:
        request = self.requests.get(c.request_id)
        if request is None or request.status != PENDING:
            return None, []
        if c.now < request.expires_at:
            return None, [m.ArmExpiry(request.id, request.expires_at)]
        self._close(request, EXPIRED, EXPIRED, c.now)
        return None, self._events(request, "virtual_clinic.request_expired")
