"""SessionActor (address ``session:<id>``): one per open session, the only writer of its
participants' live state.

Registered by the core in :mod:`vclinic.bootstrap` (kind ``session``, TRANSIENT, mailbox 64),
because every workflow's meetings use it. It applies commands one at a time through
:class:`SessionState`, writes what changed to the store before replying, saves presence (which
connections are in) as its snapshot, publishes ``session.*`` events on the bus topic
``session:<id>``, tells the media plane (``MediaControl``, when wired) about permission changes,
removals and closing, notifies invited colleagues, and arms grace timers. A restarted actor
reloads its rows; after a node restart the participants who were in start their grace period.

It also starts and stops the session's recording (``MediaService.start_recording`` /
``stop_recording``) and stores what it holds (:mod:`vclinic.sessions.recording`): on a chair's
stop, when the session closes or everyone left, when the node stops, and, marked
``interrupted`` with the part already written, when the media worker died or the node restarted.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trio

from vclinic.actors import Actor, ActorContext, Address
from vclinic.errors import NotFound, Unavailable, VclinicError
from vclinic.events import DomainEvent, RecordingStarted, RecordingStopped
from vclinic.ids import new_id
from vclinic.log import get_logger
from vclinic.notifications.notice import Notice
from vclinic.sessions import message as m
from vclinic.sessions import persist, recording
from vclinic.sessions.announce import domain_events
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
        same_node = snapshot.get("boot") == BOOT_ID
        effects = self.state.restore(snapshot.get("presence", {}), same_node)
        if self.state.recording is not None and not same_node:
            # The node that was recording stopped without finishing it: keep what it wrote.
            await self._end_recording("node_restarted", None)
        await self._commit(effects)
        self._announce(domain_events(self.address.id, effects, {}, {}))

    async def handle(self, message: Any) -> Any:
        if self.state is None:
            self.context.stop()
            raise NotFound("There is no such session.", code="session_not_found")
        match message:
            case m.StartRecording() | m.StopRecording() | m.RecordingLost():
                reply = await self._recording_command(message)
                await self._commit([])
                return reply
        roles = self._roles()
        reply, events = self.state.handle(message)
        await self._commit(events)
        self._announce(domain_events(self.address.id, events, roles, self._roles()))
        if isinstance(message, m.GrantMedia):
            pid, role, consent = reply
            return MediaGrant(pid, permissions(role), consent)
        return reply

    def _roles(self) -> dict[str, str]:
        assert self.state is not None
        return {pid: person.role for pid, person in self.state.people.items()}

    def _announce(self, found: list[DomainEvent]) -> None:
        # After the change was stored: a listener never hears of something that did not happen.
        for event in found:
            self.service.plugins.emit(event)

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
        media = self.service.media
        match event:
            case m.Event():
                self.context.bus.publish(self.topic, event.wire())
            case m.GraceStarted():
                self.service.timers.after(self.service.settings.ws_grace_seconds, self.address,
                                          m.GraceExpired(event.participant_id, event.epoch))
            case m.Invited():
                assert self.state is not None
                await self.service.notifications.send(Notice(
                    "session.invited", f"Telehealth session: {self.state.info.name}",
                    user_id=event.user_id,
                    data={"session_id": sid, "url": f"/preview?session={sid}"}))
            case m.PermissionsChanged() if media is not None:
                await self._media(media.set_permissions(sid, event.participant_id,
                                                        permissions(event.role)))
            case m.MediaRemoved() if media is not None:
                await self._media(media.remove_participant(sid, event.participant_id))
            case m.EndRecording() if self.state is not None and self.state.recording:
                await self._end_recording(event.reason, None)
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

    # Recording ---------------------------------------------------------------------------------

    @property
    def _data_dir(self) -> Path:
        return Path(self.service.settings.data_dir).resolve()

    async def _recording_command(self, command: Any) -> Any:
        state = self.state
        assert state is not None
        match command:
            case m.StartRecording(by_user_id=user_id):
                return await self._start_recording(user_id)
            case m.StopRecording(by_user_id=user_id, reason=reason):
                person = state.may_stop_recording(user_id)
                return await self._end_recording(reason, person)
            case m.RecordingLost() if state.recording is not None:
                return await self._end_recording("media_failed", None)
        return None

    async def _start_recording(self, user_id: str | None) -> dict[str, Any]:
        state = self.state
        assert state is not None
        person = state.may_start_recording(user_id)
        media = self.service.media
        if media is None:
            raise Unavailable("Recording needs audio and video, which are unavailable on this "
                              "server right now.", code="media_down")
        sid = self.address.id
        rid = new_id()
        relative = recording.directory_for(sid, rid)
        folder = self._data_dir / relative
        active = await self.service.store.atomic(recording.begin, rid, sid, person.id,
                                                 person.display_name, relative)
        try:
            await media.start_recording(sid, str(folder))
        except BaseException as exc:
            # Nothing half-written: no row and no folder for a recording that did not start.
            with trio.CancelScope(shield=True):
                await self.service.store.atomic(recording.discard, rid)
                await trio.to_thread.run_sync(shutil.rmtree, folder, True)
            log.error("recording_start_failed", session_id=sid, error=type(exc).__name__)
            if isinstance(exc, VclinicError) or not isinstance(exc, Exception):
                raise
            raise Unavailable("The recording could not start on the media server.",
                              code="recording_failed") from None
        state.recording = active
        log.info("recording_started", session_id=sid, recording_id=rid)
        self.context.bus.publish(self.topic, m.RecordingChanged(
            "recording", rid, active.started_at, active.started_by_name).wire())
        self._announce([RecordingStarted(sid, rid, person.id)])
        return state.recording_public()

    async def _end_recording(self, reason: str, by: Any) -> dict[str, Any]:
        """Finish the running recording and store its files, duration and people."""
        state = self.state
        assert state is not None and state.recording is not None
        active, state.recording = state.recording, None
        sid = self.address.id
        media = self.service.media
        data: dict[str, Any] | None = None
        if media is not None:
            try:
                data = await media.stop_recording(sid)
            except Exception as exc:  # the worker died or lost it: keep what it wrote
                log.warning("recording_stop_failed", session_id=sid, error=type(exc).__name__)
        if data is not None:
            written = recording.from_worker(data)
        else:
            written = await trio.to_thread.run_sync(recording.left_behind, str(self._data_dir),
                                                    active.directory)
        names = {pid: p.display_name for pid, p in state.people.items()}
        body: dict[str, Any] = await self.service.store.atomic(
            recording.finish, active.id, str(self._data_dir), written, names,
            (by.id, by.display_name) if by is not None else None, reason, data is None,
            state.info.patient_id, data.get("duration") if data else None)
        log.info("recording_stopped", session_id=sid, recording_id=active.id, reason=reason,
                 status=body["status"], files=len(body["files"]))
        ended = "stopped" if body["status"] == "complete" else "interrupted"
        self.context.bus.publish(self.topic, m.RecordingChanged(ended, active.id,
                                                                reason=reason).wire())
        self._announce([RecordingStopped(sid, active.id, reason, ended == "stopped")])
        return body
