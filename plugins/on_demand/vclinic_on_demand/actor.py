"""QueueActor (address ``queue:<organisation id>``): one per organisation's on-demand queue, the
only writer of its request rows; claims, assignments and declines are serialised through it, so
two people claiming at once get one winner and one ``already_claimed``.

Registered by the plugin (kind ``queue``, TRANSIENT, mailbox 256). Every change is written to the
store before the reply, so a restarted actor (or node) recovers the queue from the rows; grace
periods of patients whose page was closed are re-armed from ``disconnected_at``. Publishes staff
events on ``on_demand:<org id>`` and patient events on ``on_demand.patient:<request id>``, and
emits its domain events (:mod:`vclinic_on_demand.events`) to plugins' listeners.
"""

from __future__ import annotations

import functools
from typing import Any

from vclinic.api import (
    Actor,
    ActorContext,
    Address,
    BadRequest,
    Conflict,
    Forbidden,
    NewSession,
    Organisation,
    utcnow,
)
from vclinic_on_demand import events as e
from vclinic_on_demand import message as m
from vclinic_on_demand import record
from vclinic_on_demand.node import Node
from vclinic_on_demand.state import Entry, QueueState

MAILBOX = 256


def staff_topic(org_id: str) -> str:
    return f"on_demand:{org_id}"


def patient_topic(request_id: str) -> str:
    return f"on_demand.patient:{request_id}"


class QueueActor(Actor):
    """The live queue of one organisation; see the module docstring."""

    def __init__(self, address: Address, context: ActorContext, node: Node) -> None:
        super().__init__(address, context)
        self.node = node
        self.app = node.app
        self.org_id = address.id
        self.state = QueueState([], [])

    async def on_start(self) -> None:
        store = self.app.store
        now = utcnow()
        # The snapshot holds which sockets are open. Saved by this node's run, the actor crashed
        # and those sockets are still open; saved by another, the node restarted and every
        # page that was open must reconnect within a fresh grace period.
        snapshot = await self.context.load_state() or {}
        same_process = snapshot.get("boot") == self.node.boot
        if not same_process:
            await store.run(record.mark_restarted, self.org_id, now)
        entries, waits, _ = await store.run(record.load, self.org_id)
        self.state = QueueState(entries, waits)
        if same_process:
            for request_id, connections in snapshot.get("connections", {}).items():
                if request_id in self.state.entries and connections:
                    self.state.entries[request_id].connections = set(connections)
                    self.state.entries[request_id].disconnected_at = None
        for entry in self.state.entries.values():
            if entry.disconnected_at is not None:
                left = self.grace - (now - entry.disconnected_at).total_seconds()
                self._arm(entry, max(0.0, left))
        self._gauge()

    async def _save_presence(self) -> None:
        await self.context.save_state({"boot": self.node.boot, "connections": {
            e.id: sorted(e.connections) for e in self.state.entries.values() if e.connections}})

    @property
    def grace(self) -> float:
        return float(self.app.settings.ws_grace_seconds)

    def _arm(self, entry: Entry, delay: float) -> None:
        self.app.timers.after(delay, self.address, m.GraceExpired(entry.id, entry.epoch))

    def _gauge(self) -> None:
        self.node.metrics.waiting[self.org_id] = self.state.waiting_count()

    def _staff(self, kind: str, data: dict[str, Any]) -> None:
        self.context.bus.publish(staff_topic(self.org_id), {"type": kind, "data": data})

    def _patient(self, request_id: str, kind: str, data: dict[str, Any]) -> None:
        self.context.bus.publish(patient_topic(request_id), {"type": kind, "data": data})

    def _announce(self, event: e.RequestEvent) -> None:
        # After the change was stored: listeners hear only of what happened.
        self.app.plugins.emit(event)

    def _positions(self) -> None:
        """Someone left the line: tell every waiting patient their place and the estimate
        (``on_demand.position``), instead of their page asking again and again."""
        waiting, estimate = self.state.waiting_count(), self.state.estimate()
        for position, entry in enumerate(self.state.entries.values(), start=1):
            if entry.status == "waiting":
                self._patient(entry.id, "on_demand.position", {
                    "position": position, "waiting": waiting, **estimate})

    def _row(self, entry: Entry) -> dict[str, Any]:
        return entry.public(utcnow(), self.state.position(entry.id))

    async def _save(self, request_id: str, **changes: Any) -> None:
        await self.app.store.run(functools.partial(record.update, request_id, **changes))

    async def handle(self, message: Any) -> Any:
        match message:
            case m.Open():
                return await self._open(message)
            case m.Answer():
                return await self._answer(message)
            case m.Complete():
                return await self._complete(message)
            case m.Connect():
                return await self._connect(message)
            case m.Disconnect():
                return await self._disconnect(message)
            case m.GraceExpired():
                if self.state.expired(message.request_id, message.epoch):
                    await self._end(message.request_id, "abandoned")
                return None
            case m.Leave():
                self.state.get(message.request_id)
                await self._end(message.request_id, "abandoned")
                return {}
            case m.Listing():
                now = utcnow()
                return {"requests": self.state.page(now, message.offset, message.limit),
                        "total": self.state.waiting_count(), "offset": message.offset,
                        "limit": message.limit}
            case m.Status():
                return self._status(message.request_id)
            case m.Claim():
                return await self._claim(message)
            case m.Assign():
                return await self._assign(message)
            case m.Decline():
                return await self._decline(message)
            case m.Recover():
                return None
            case _:
                raise BadRequest("The queue does not understand this message.")

    def _status(self, request_id: str) -> dict[str, Any]:
        entry = self.state.get(request_id)
        return {"status": entry.status, "position": self.state.position(request_id),
                "waiting": self.state.waiting_count(), "intake_complete":
                entry.completed_at is not None, "answers": dict(entry.answers),
                **self.state.estimate()}

    async def _open(self, c: m.Open) -> dict[str, Any]:
        entry = Entry(id=c.request_id, name=c.name, email=c.email, created_at=utcnow())
        await self.app.store.atomic(record.insert, self.org_id, entry, c.token_hash)
        self.state.add(entry)
        self._gauge()
        self._staff("on_demand.request_added", {"request": self._row(entry)})
        self._announce(e.RequestOpened(self.org_id, entry.id))
        return self._status(entry.id)

    async def _answer(self, c: m.Answer) -> dict[str, Any]:
        entry = self.state.get(c.request_id)
        answers = {**entry.answers, **dict(c.answers)}
        await self._save(entry.id, answers=answers)
        self.state.answer(entry.id, answers)
        self._staff("on_demand.request_updated", {"request": self._row(entry)})
        return self._status(entry.id)

    async def _complete(self, c: m.Complete) -> dict[str, Any]:
        entry = self.state.get(c.request_id)
        due = [k for k in c.required if entry.answers.get(k) in (None, "")]
        due += [k for k in c.consents if entry.answers.get(k) is not True and k not in due]
        if due:
            raise BadRequest("Answer the required questions first.", code="intake_incomplete",
                             missing=due)
        now = utcnow()
        self.state.complete(entry.id, now)
        await self._save(entry.id, status="waiting", completed_at=now)
        self._staff("on_demand.request_updated", {"request": self._row(entry)})
        self._announce(e.IntakeCompleted(self.org_id, entry.id))
        return self._status(entry.id)

    async def _connect(self, c: m.Connect) -> dict[str, Any]:
        entry = self.state.connect(c.request_id, c.connection_id)
        await self._save(entry.id, present=True, disconnected_at=None)
        await self._save_presence()
        return self._status(entry.id)

    async def _disconnect(self, c: m.Disconnect) -> None:
        now = utcnow()
        entry = self.state.disconnect(c.request_id, c.connection_id, now)
        if entry is None:
            return
        await self._save(entry.id, present=False, disconnected_at=now)
        await self._save_presence()
        self._arm(entry, self.grace)

    async def _end(self, request_id: str, outcome: str) -> Entry:
        now = utcnow()
        entry = self.state.remove(request_id, now, claimed=False)
        await self._save(request_id, status=outcome, ended_at=now,
                                 present=False)
        self.node.metrics.ended.labels(outcome=outcome).inc()
        self._gauge()
        self._staff("on_demand.request_removed", {"request_id": request_id, "reason": outcome})
        self._patient(request_id, "on_demand.left", {"reason": outcome})
        self._positions()
        self._announce(e.RequestEnded(self.org_id, request_id, outcome))
        return entry

    async def _claim(self, c: m.Claim) -> dict[str, Any]:
        entry = self.state.check_claim(c.request_id, c.user_id, c.is_admin)
        sessions = self.app.sessions
        now = utcnow()
        created = await sessions.create(NewSession(
            org_id=self.org_id, creator_id=c.user_id, access_level="invitation",
            name=f"On-Demand visit {now:%Y-%m-%d %H:%M} UTC", workflow="on_demand"))
        session_id = created["session"]["id"]
        participant_id = await sessions.add_guest(session_id, entry.name)
        self.state.remove(entry.id, now, claimed=True)
        wait = entry.waited(now)
        await self._save(entry.id, status="claimed", ended_at=now, claimed_by=c.user_id,
            session_id=session_id, participant_id=participant_id, wait_seconds=wait,
            present=False)
        self.node.metrics.waits.observe(wait)
        self.node.metrics.ended.labels(outcome="claimed").inc()
        self._gauge()
        self._staff("on_demand.request_removed", {"request_id": entry.id, "reason": "claimed",
                                                  "by": c.user_id, "session_id": session_id})
        self._patient(entry.id, "on_demand.claimed",
                      {"session_id": session_id, "join": "/api/v1/on_demand/patient/join"})
        self._positions()
        self._announce(e.RequestClaimed(self.org_id, entry.id, c.user_id, session_id,
                                        participant_id, round(wait, 1)))
        return {"request_id": entry.id, "session_id": session_id,
                "next": f"/preview?session={session_id}", "wait_seconds": round(wait, 1)}

    async def _assign(self, c: m.Assign) -> dict[str, Any]:
        entry = self.state.get(c.request_id)
        if not await self.app.store.run(record.is_on_call, c.provider_id):
            raise Conflict("That provider is not On-Call.", code="provider_not_on_call")
        await self._save(entry.id, assigned_to=c.provider_id)
        self.state.assign(entry.id, c.provider_id)
        await self.app.notify(c.provider_id, "on_demand.assigned",
                              f"New on-demand session request {ticket(entry.id)} assigned to you",
                              {"request_id": entry.id,
                               "url": f"/dashboard#on-demand-request-{entry.id}"})
        row = self._row(entry)
        self._staff("on_demand.request_updated", {"request": row})
        self._announce(e.RequestAssigned(self.org_id, entry.id, c.provider_id))
        return {"request": row}

    async def _decline(self, c: m.Decline) -> dict[str, Any]:
        entry = self.state.get(c.request_id)
        now = utcnow()
        org = await self.app.store.run(Organisation.get_by_id, self.org_id)
        user_id = await self.app.store.atomic(record.decline, entry.id, entry.email, org.name,
                                              now)
        self.state.remove(entry.id, now, claimed=False)
        self.app.mailer.wake()
        if user_id is not None:
            await self.app.notify(user_id, "on_demand.declined",
                                  f"{org.name} declined your on-demand request",
                                  {"request_id": entry.id})
        self.node.metrics.ended.labels(outcome="declined").inc()
        self._gauge()
        self._staff("on_demand.request_removed", {"request_id": entry.id, "reason": "declined",
                                                  "by": c.by})
        self._patient(entry.id, "on_demand.declined", {
            "message": "Your request was declined. We have emailed you; please try again "
                       "later or contact the clinic."})
        self._positions()
        self._announce(e.RequestDeclined(self.org_id, entry.id, c.by))
        return {"request_id": entry.id, "status": "declined"}


def ticket(request_id: str) -> str:
    """The short reference of a request shown on its row and in the bell (no patient data)."""
    return request_id[:8].upper()


def check_claimer(is_admin: bool, on_call: bool) -> None:
    """Providers claim from their On-Demand Requests tab, which exists only while On-Call."""
    if not is_admin and not on_call:
        raise Forbidden("Switch to On-Call to see and claim on-demand requests.",
                        code="not_on_call")
