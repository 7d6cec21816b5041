"""SessionActor (address ``session:<id>``): one per open session, the only writer of its
participants' live state.

Registered by the core in :mod:`vclinic.bootstrap` (kind ``session``, TRANSIENT, mailbox 64),
because every workflow's meetings use it. It applies commands one at a time through
:class:`SessionState`, writes what changed to the store before replying, saves presence (which
connections are in) as its snapshot, publishes ``session.*`` events on the bus topic
``session:<id>``, tells the media plane (``MediaControl``, when wired) about permission changes,
removals and closing, notifies invited colleagues, and arms grace timers. A restarted actor
reloads its rows; after a node restart the participants who were in start their grace period.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vclinic import notifications
from vclinic.actors import Actor, ActorContext, Address
from vclinic.errors import NotFound
from vclinic.ids import new_id
from vclinic.log import get_logger
from vclinic.sessions import message as m
from vclinic.sessions import persist
from vclinic.sessions.media import MediaGrant
from vclinic.sessions.role import permissions
from vclinic.sessions.state import PRESENT, SessionState

if TYPE_CHECKING:
    from vclinic.sessions.service import SessionService

#: This process's id: a snapshot saved by another process means the node restarted and the
#: connections it lists are gone.
BOOT_ID = new_id()
MAILBOX = 64

log = get_logger("sessions.actor")


class SessionActor(Actor):
    """The live session; see the module docstring."""

    def __init__(self, address: Address, context: ActorContext, service: SessionService
                 ) -> None:
        super().__init__(address, context)
        self.service = service
        self.state: SessionState | None = None

    @classmethod
    def factory(cls, service: SessionService) -> Callable[[Address, ActorContext], Actor]:
        """The actor kind's factory, bound to the node's session service."""
        return lambda address, context: cls(address, context, service)

    @property
    def topic(self) -> str:
        return f"session:{self.address.id}"

    async def on_start(self) -> None:
        self.state = await self.service.store.run(persist.load, self.address.id)
        if self.state is None:
            return
        snapshot = await self.context.load_state() or {}
        effects = self.state.restore(snapshot.get("presence", {}),
                                     snapshot.get("boot") == BOOT_ID)
        await self._commit(effects)

    async def handle(self, message: Any) -> Any:
        if self.state is None:
            self.context.stop()
            raise NotFound("There is no such session.", code="session_not_found")
        reply, events = self.state.handle(message)
        await self._commit(events)
        if isinstance(message, m.GrantMedia):
            pid, role, consent = reply
            return MediaGrant(pid, permissions(role), consent)
        return reply

    async def _commit(self, events: list[Any]) -> None:
        state = self.state
        assert state is not None
        if state.dirty or state.info_dirty:
            await self.service.store.atomic(persist.save, state)
        await self.context.save_state({"boot": BOOT_ID, "presence": state.presence()})
        for event in events:
            await self._perform(event)
        # Nobody in: deactivate once the mailbox is empty (the next message, or a grace timer,
        # activates a new incarnation from the rows), so idle sessions hold no memory. Someone
        # entering meanwhile withdraws the request.
        self.context.stop_requested = not any(p.state in PRESENT for p in state.people.values())

    async def _perform(self, event: Any) -> None:
        sid = self.address.id
        media = self.service.media()
        match event:
            case m.Event():
                self.context.bus.publish(self.topic, event.wire())
                if isinstance(event, m.ParticipantLeft | m.ParticipantRemoved | m.SessionClosed):
                    self.service.plugins.emit(event)
            case m.GraceStarted():
                self.service.timers.after(self.service.settings.ws_grace_seconds, self.address,
                                          m.GraceExpired(event.participant_id, event.epoch))
            case m.Invited():
                assert self.state is not None
                await notifications.notify(
                    self.service.store, self.context.bus, event.user_id, "session.invited",
                    f"Telehealth session: {self.state.info.name}",
                    {"session_id": sid, "url": f"/preview?session={sid}"})
            case m.PermissionsChanged() if media is not None:
                await self._media(media.set_permissions(sid, event.participant_id,
                                                        permissions(event.role)))
            case m.MediaRemoved() if media is not None:
                await self._media(media.remove_participant(sid, event.participant_id))
            case m.RoomClosed() if media is not None:
                await self._media(media.close_room(sid))
            case _:
                return  # a media effect with no media plane wired: nothing to tell

    async def _media(self, call: Any) -> None:
        # The media plane being down must not stop the session's own state from changing;
        # the worker's restart renegotiates with the permissions it is then given.
        try:
            await call
        except Exception as exc:
            log.error("media_control_failed", session_id=self.address.id,
                      error=type(exc).__name__)
