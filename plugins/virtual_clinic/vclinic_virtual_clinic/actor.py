"""ProviderActor (address ``provider:<user_id>``): one per provider, the only writer of their
availability and of the session requests made to them.

Registered through ``vclinic_register_actor_kinds`` (kind ``provider``, TRANSIENT, mailbox 64).
It applies commands one at a time through :class:`ProviderState` — which is why two tabs
accepting one request at once see exactly one win — saves the state as its snapshot before
replying, then publishes ``virtual_clinic.*`` events on the ``user:<id>`` topics, arms expiry
timers on the node's timers and emits its domain events (:mod:`vclinic_virtual_clinic.events`)
to plugins' listeners. Accepting creates the session
through the core session model (the provider its Session Chair, the requester on its list);
the session itself is then the SessionActor's. A restarted actor (or node) reloads its snapshot
and re-arms the timers of pending requests from their stored deadlines.
"""

from __future__ import annotations

import time
from typing import Any

from vclinic.api import Actor, ActorContext, Address, AppContext, NewSession, get_logger
from vclinic_virtual_clinic import message as m
from vclinic_virtual_clinic.events import from_effects
from vclinic_virtual_clinic.organisation import NAME
from vclinic_virtual_clinic.state import PENDING, ProviderState

KIND = "provider"
MAILBOX = 64

log = get_logger("virtual_clinic.provider")


class ProviderActor(Actor):
    """One provider's availability and requests; see the module docstring. ``services`` are
    the node's, handed over by the plugin's actor kind."""

    def __init__(self, address: Address, context: ActorContext, services: AppContext) -> None:
        super().__init__(address, context)
        self.services = services
        self.state = ProviderState(address.id)

    async def on_start(self) -> None:
        snapshot = await self.context.load_state()
        self.state = ProviderState.from_dict(self.address.id, snapshot or {})
        for effect in self.state.restore():
            self._perform(effect)

    async def handle(self, message: Any) -> Any:
        if isinstance(message, m.Accept):
            return await self._accept(message)
        reply, events = self.state.handle(message)
        if not isinstance(message, m.Status):
            await self.context.save_state(self.state.to_dict())
        for event in events:
            self._perform(event)
        self._announce(events)
        return reply

    async def _accept(self, c: m.Accept) -> dict[str, Any]:
        request = self.state.check_accept(c.request_id)
        name = f"Virtual Clinic: {request.requester_name}"
        if request.service_name:
            name += f" ({request.service_name})"
        body = await self.services.sessions.create(NewSession(
            org_id=self.state.org_id, creator_id=self.address.id, name=name[:200],
            access_level="private", participants=((request.requester_id, "broadcaster"),),
            workflow=NAME, allow_stations=True))
        session_id = body["session"]["id"]
        reply, events = self.state.accepted(c.request_id, session_id, c.now)
        await self.context.save_state(self.state.to_dict())
        for event in events:
            self._perform(event)
        self._announce(events)
        log.info("request_accepted", request_id=c.request_id, session_id=session_id,
                 provider_id=self.address.id)
        return {"request": reply, "session_id": session_id,
                "next": f"/call?session={session_id}" if c.enter else None}

    def _announce(self, effects: list[Any]) -> None:
        # After the state was saved: listeners hear only of changes that happened.
        for event in from_effects(self.state.org_id, effects):
            self.services.plugins.emit(event)

    def _perform(self, effect: Any) -> None:
        match effect:
            case m.Publish():
                self.context.bus.publish(effect.topic, effect.wire())
            case m.ArmExpiry():
                self.services.timers.after(max(0.0, effect.deadline - time.time()), self.address,
                             m.Expire(effect.request_id, effect.deadline))


def waiting_providers(snapshots: dict[str, dict[str, Any]]) -> list[str]:
    """Ids of providers whose saved state (``{provider_id: state}``, the node's
    ``snapshots.of_kind("provider")``) holds a pending request."""
    return [provider_id for provider_id, state in snapshots.items()
            if any(r.get("status") == PENDING for r in state.get("requests", ()))]
