"""MediaService: the node's media plane (the MediaActor role of the design), owned by bootstrap.

One per node, started by :func:`open_media` in the composition root and stopped after the web
server: it runs ``media_workers`` worker processes, each a supervised child of the ``media``
supervisor under the node's root supervisor (:meth:`MediaService.child_spec`), placed by a
:class:`MediaPool`; keeps which participant of which session
has a handle on which worker, and relays the workers' events:

- to the participant's live ``/ws`` connection (its *sink*): ``media.server_offer``,
  ``media.connection_state``, ``media.renegotiate``, ``media.revoked``;
- to everyone in the session, on the bus topic ``session:<id>``: ``media.participant_state``,
  ``media.participant_connection``, ``media.track``; and ``media.stats`` once per room every
  ``stats_seconds`` (the workers' interval), listing every participant that reported since the
  previous one: one message per participant per interval, not one per pair of participants.

Rooms are session ids, handles are participant ids. A participant's first ``media.offer`` joins
it (:meth:`enter`); it leaves when the sessions component calls :meth:`remove_participant` or
:meth:`close_room`, or ``ws_grace_seconds`` after its connection dropped without coming back.
It implements the sessions component's ``MediaControl`` protocol structurally.

Ordering: while a client offer is in flight (:meth:`hold`), events for that participant are held
and released only after the ``/ws`` reply carrying the answer was sent, so that a client never
sees a server offer before the answer to its own offer (docs/media.md §2).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import trio

from vclinic.actors import ChildSpec, Restart, Strategy, Supervisor
from vclinic.actors.error import SupervisorEscalation
from vclinic.config import Settings
from vclinic.errors import BadRequest, Conflict, NotFound, Unavailable
from vclinic.log import get_logger
from vclinic.media import protocol as p
from vclinic.media.access import MediaGrant
from vclinic.media.client import MediaClient, MediaPool, WorkerRestarted
from vclinic.media.relay import room_stats_event, session_event, sink_event, stats_entry
from vclinic.media.turn import TurnCredential, client_ice_servers, is_turn_url, turn_credential

log = get_logger("media.service")

#: Longest the node waits at shutdown for workers to close rooms and finish recordings.
SHUTDOWN_SECONDS = 10.0
#: Worker restarts the media supervisor allows within :data:`RESTART_PERIOD` seconds, over all
#: of the node's workers; one more and the media plane is down.
RESTART_INTENSITY = 5
RESTART_PERIOD = 60.0


class EventSink(Protocol):
    """Where a participant's own media events go: its ``/ws`` connection."""

    def emit(self, kind: str, data: dict[str, Any]) -> None: ...


class Publisher(Protocol):
    """The event bus, as far as media needs it."""

    def publish(self, topic: str, event: object) -> int: ...


@dataclass(frozen=True)
class MediaStatistics:
    """What the node's media plane holds now, for metrics (frozen, read at scrape time)."""

    rooms: int
    participants: int
    #: Per worker: ``(load, restarts)``; load is rooms plus participants on it.
    workers: tuple[tuple[int, int], ...]
    #: The media plane gave up after a worker kept dying (media requests answer media_down).
    failed: bool


@dataclass(eq=False)
class _Member:
    """A participant with a handle on a worker; owned by the service."""

    session_id: str
    participant_id: str
    client: MediaClient
    sink: EventSink | None = None
    holds: int = 0
    held: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    grace: trio.CancelScope | None = None


class MediaService:
    """Workers, rooms and participant handles of one node; see the module docstring."""

    def __init__(self, settings: Settings, bus: Publisher,
                 on_recording_lost: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.bus = bus
        #: Told the session id of a recording lost because its worker died (the session
        #: model's ``recording_lost``); the files written so far stay on disk.
        self.on_recording_lost = on_recording_lost
        count = settings.media_workers or os.cpu_count() or 1
        config = p.WorkerConfig(
            host_addresses=tuple(settings.media_host_addresses) or None,
            # The workers need no TURN relay of their own; they only use STUN, if configured.
            ice_servers=tuple(u for u in settings.ice_servers if not is_turn_url(u)),
            prefer_h264=settings.media_h264,
            udp_ports=settings.media_udp_ports,
        )
        self.pool = MediaPool([MediaClient(config) for _ in range(count)])
        #: How often the gathered stats of each room are published (the workers' interval).
        self.stats_seconds = config.stats_seconds
        #: Per room, the latest stats of each participant since the last publish (bounded by
        #: the room's participants: a newer report replaces an older one).
        self._stats: dict[str, dict[str, dict[str, Any]]] = {}
        self._members: dict[str, _Member] = {}
        self._rooms: dict[str, set[str]] = {}
        self._recording: set[str] = set()
        self._locks: dict[str, trio.Lock] = {}
        self._nursery: trio.Nursery | None = None
        self._failed = False
        #: False when ``settings.media`` is off: no worker starts and media requests refuse.
        self.enabled = settings.media
        #: The ``media`` supervisor of the workers, built by :meth:`child_spec`.
        self.supervisor: Supervisor | None = None

    # Lifetime ------------------------------------------------------------------------------

    def child_spec(self) -> ChildSpec:
        """The media plane as a TEMPORARY child ``media`` of the node's root supervisor.

        It is a one_for_one supervisor (``statistics()`` name ``media``) with one TRANSIENT
        child per worker, ``worker:<n>``: a dead worker is restarted, at most
        :data:`RESTART_INTENSITY` times within :data:`RESTART_PERIOD` seconds over all workers.
        Beyond that the media supervisor escalates and the root drops it rather than restart
        it: the media plane is down (requests answer ``media_down``), the node keeps serving.
        """
        children = [client.child_spec(f"worker:{n}") for n, client in enumerate(self.pool.clients)]
        self.supervisor = Supervisor(children, strategy=Strategy.ONE_FOR_ONE,
                                     intensity=RESTART_INTENSITY, period=RESTART_PERIOD,
                                     name="media")
        return ChildSpec("media", self.supervisor.run, restart=Restart.TEMPORARY,
                         on_terminated=self._terminated, supervisor=self.supervisor)

    async def run(self, *, parent: Supervisor | None = None,
                  task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Start the workers and relay their events until cancelled; ``started`` at once.

        The workers run under ``parent`` (the node's root supervisor) as :meth:`child_spec`
        says, or, without a parent, under a task of this service's own. Requests made before a
        worker said hello wait for it, so a node serves while its workers are still starting.
        """
        spec = self.child_spec()
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            if self.enabled:
                if parent is None:
                    nursery.start_soon(self._run_alone, spec)
                else:
                    parent.start_child(spec)
                for client in self.pool.clients:
                    nursery.start_soon(self._relay, client)
                nursery.start_soon(self._publish_stats_every_interval)
            task_status.started()

    async def _run_alone(self, spec: ChildSpec) -> None:
        try:
            await spec.start_factory()
        except SupervisorEscalation as exc:
            self._terminated(exc)

    def _terminated(self, error: BaseException | None) -> None:
        if error is not None:
            # A worker that keeps dying takes the media plane down, not the node: the rest of
            # the server keeps working and media requests answer media_down.
            self._failed = True
            log.error("media_plane_failed")

    async def stop(self, parent: Supervisor | None) -> None:
        """Let every worker finish (at most :data:`SHUTDOWN_SECONDS`), then stop the media
        supervisor under ``parent``. Not shielded: a node being cancelled kills its workers."""
        with trio.move_on_after(SHUTDOWN_SECONDS):
            await self.shutdown()
        if parent is not None:
            await parent.terminate_child("media")

    def statistics(self) -> MediaStatistics:
        """Rooms, participants and each worker's load and restarts, as of now."""
        return MediaStatistics(
            rooms=len(self._rooms), participants=len(self._members),
            workers=tuple((client.load, client.restarts) for client in self.pool.clients),
            failed=self._failed,
        )

    async def shutdown(self) -> None:
        """Let every worker close its rooms and finish its recordings, then exit."""
        if not self.enabled:
            return
        async with trio.open_nursery() as nursery:
            for client in self.pool.clients:
                nursery.start_soon(client.shutdown)

    def _check(self) -> None:
        if not self.enabled:
            raise Unavailable("Audio and video are turned off on this server.",
                              code="media_down")
        if self._failed:
            raise Unavailable("Audio and video are unavailable on this server right now.",
                              code="media_down")

    # Participants, used by /ws signalling ----------------------------------------------------

    async def enter(self, session_id: str, grant: MediaGrant, sink: EventSink) -> bool:
        """Join the participant to its session's room (once) and send its events to ``sink``;
        True when ``sink`` is new for this participant (the caller then arranges :meth:`detach`).
        """
        self._check()
        pid = grant.participant_id
        async with self._locks.setdefault(pid, trio.Lock()):
            member = self._members.get(pid)
            if member is None:
                client = self.pool.client_for(session_id)
                if session_id not in self._rooms:
                    await client.create_room(session_id)
                    self._rooms.setdefault(session_id, set())
                await client.join(session_id, pid, grant.permissions, grant.consent_recording)
                member = self._members[pid] = _Member(session_id, pid, client)
                self._rooms.setdefault(session_id, set()).add(pid)
                log.info("media_joined", session_id=session_id, participant_id=pid)
            elif member.session_id != session_id:
                raise Conflict("This participant takes part in another session's media.",
                               code="in_other_session")
            if member.grace is not None:
                member.grace.cancel()
                member.grace = None
            attached, member.sink = member.sink is not sink, sink
            return attached

    def hold(self, participant_id: str) -> Callable[[], None]:
        """Hold the participant's events until the returned function is called (once)."""
        member = self._member(participant_id)
        member.holds += 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            member.holds -= 1
            if member.holds == 0:
                held, member.held = member.held, []
                for kind, data in held:
                    if member.sink is not None:
                        member.sink.emit(kind, data)

        return release

    async def offer(self, participant_id: str, sdp: str, sources: dict[str, str]) -> str:
        """Send the client's offer to its worker; the answer SDP."""
        self._check()
        return await self._member(participant_id).client.offer(participant_id, sdp, sources)

    async def answer(self, participant_id: str, sdp: str) -> None:
        self._check()
        member = self._members.get(participant_id)
        if member is None:
            raise BadRequest("No server offer is waiting for an answer.",
                             code="unexpected_answer")
        await member.client.answer(participant_id, sdp)

    async def candidate(self, participant_id: str, candidate: str | None,
                        sdp_mid: str | None, sdp_mline_index: int | None) -> None:
        self._check()
        await self._member(participant_id).client.candidate(
            participant_id, candidate, sdp_mid, sdp_mline_index)

    async def set_state(self, participant_id: str, audio_muted: bool, video_muted: bool) -> None:
        self._check()
        await self._member(participant_id).client.set_state(participant_id, audio_muted,
                                                             video_muted)

    def detach(self, participant_id: str, sink: EventSink) -> None:
        """``sink`` closed: keep the handle ``ws_grace_seconds`` for the client to come back."""
        member = self._members.get(participant_id)
        if member is None or member.sink is not sink or self._nursery is None:
            return
        member.sink = None
        member.held.clear()
        self._nursery.start_soon(self._expire, member)

    async def _expire(self, member: _Member) -> None:
        with trio.CancelScope() as scope:
            member.grace = scope
            await trio.sleep(self.settings.ws_grace_seconds)
            member.grace = None
            if self._members.get(member.participant_id) is member and member.sink is None:
                log.info("media_grace_expired", session_id=member.session_id,
                         participant_id=member.participant_id)
                await self._leave(member)

    def _member(self, participant_id: str) -> _Member:
        member = self._members.get(participant_id)
        if member is None:
            raise Conflict("Send media.offer first.", code="offer_first")
        return member

    # MediaControl, used by the sessions component ----------------------------------------------

    async def set_permissions(self, session_id: str, participant_id: str,
                              permissions: p.Permissions) -> None:
        """Apply new permissions at once; a participant without media gets them at its join."""
        member = self._members.get(participant_id)
        if member is not None and member.session_id == session_id:
            await member.client.set_permissions(participant_id, permissions)

    async def remove_participant(self, session_id: str, participant_id: str) -> None:
        """The participant left or was removed: drop its connection and handle."""
        member = self._members.get(participant_id)
        if member is not None and member.session_id == session_id:
            await self._leave(member)

    async def close_room(self, session_id: str) -> None:
        """The session ended: drop every handle and the room (a running recording is finished)."""
        for pid in self._rooms.pop(session_id, set()):
            member = self._members.pop(pid, None)
            if member is not None and member.grace is not None:
                member.grace.cancel()
        self._recording.discard(session_id)
        self._stats.pop(session_id, None)
        await self.pool.destroy_room(session_id)

    async def start_recording(self, session_id: str, directory: str) -> None:
        """Record the consenting participants of the session into ``directory``."""
        self._check()
        client = self.pool.client_for(session_id)
        if session_id not in self._rooms:
            await client.create_room(session_id)
            self._rooms.setdefault(session_id, set())
        await client.start_recording(session_id, directory)
        self._recording.add(session_id)

    async def stop_recording(self, session_id: str) -> dict[str, Any]:
        """Finish the recording: ``{"files": [{"handle", "path", "duration"}], "duration",
        "participants"}``."""
        if session_id not in self._recording:
            raise NotFound("This session is not being recorded.", code="not_recording")
        self._recording.discard(session_id)
        data = await self.pool.client_for(session_id).stop_recording(session_id)
        await self._drop_room_if_empty(session_id)
        return data

    # ICE servers ---------------------------------------------------------------------------

    def turn_credentials(self, participant_id: str, ttl_seconds: int) -> TurnCredential:
        """A coturn ``use-auth-secret`` credential for the participant, valid ``ttl_seconds``."""
        return turn_credential(self.settings.turn_secret, participant_id,
                               int(time.time()) + ttl_seconds)

    def ice_config(self, participant_id: str) -> dict[str, Any]:
        """``{"ice_servers": [RTCIceServer...], "expires_at": unix | None}`` for a client; TURN
        entries carry a credential that expires after ``turn_ttl_seconds``."""
        credential = None
        if self.settings.turn_secret and any(is_turn_url(u) for u in self.settings.ice_servers):
            credential = self.turn_credentials(participant_id, self.settings.turn_ttl_seconds)
        return {"ice_servers": client_ice_servers(self.settings.ice_servers, credential),
                "expires_at": credential.expires_at if credential else None}

    # Internals -----------------------------------------------------------------------------

    async def _leave(self, member: _Member) -> None:
        pid = member.participant_id
        if self._members.get(pid) is member:
            del self._members[pid]
        self._locks.pop(pid, None)
        if member.grace is not None:
            member.grace.cancel()
        self._rooms.get(member.session_id, set()).discard(pid)
        self._stats.get(member.session_id, {}).pop(pid, None)
        log.info("media_left", session_id=member.session_id, participant_id=pid)
        await member.client.leave(pid)
        await self._drop_room_if_empty(member.session_id)

    async def _drop_room_if_empty(self, session_id: str) -> None:
        if self._rooms.get(session_id) == set() and session_id not in self._recording:
            del self._rooms[session_id]
            await self.pool.destroy_room(session_id)

    async def _relay(self, client: MediaClient) -> None:
        async for event in client.events:
            if isinstance(event, WorkerRestarted):
                log.warning("media_worker_restarted", pid=event.pid, rooms=len(event.rooms))
                for session_id in event.rooms:
                    if session_id in self._recording:
                        # The new worker does not record: the recording ended with the old one.
                        self._recording.discard(session_id)
                        log.warning("recording_lost", session_id=session_id)
                        if self.on_recording_lost is not None:
                            self.on_recording_lost(session_id)
                for pid in event.handles:
                    member = self._members.get(pid)
                    if member is not None:
                        self._tell(member, "media.renegotiate", {
                            "session_id": member.session_id, "reason": "media_restarted"})
                continue
            if isinstance(event, p.Stats):
                member = self._members.get(event.handle)
                # Late figures of a participant who left, or of a closed room, are dropped.
                if member is not None and member.session_id == event.room:
                    self._stats.setdefault(event.room, {})[event.handle] = stats_entry(event)
                continue
            routed = sink_event(event)
            if routed is not None:
                member = self._members.get(routed[0])
                if member is not None:
                    self._tell(member, routed[1], routed[2])
            shared = session_event(event)
            if shared is not None:
                session_id, kind, data = shared
                self.bus.publish(f"session:{session_id}", {"type": kind, "data": data})

    async def _publish_stats_every_interval(self) -> None:
        while True:
            await trio.sleep(self.stats_seconds)
            self.publish_stats()

    def publish_stats(self) -> int:
        """Publish one ``media.stats`` event per room with the stats gathered since the last
        call, and forget them; how many events were published."""
        gathered, self._stats = self._stats, {}
        for session_id, entries in gathered.items():
            self.bus.publish(f"session:{session_id}",
                             room_stats_event(session_id, list(entries.values())))
        return len(gathered)

    def _tell(self, member: _Member, kind: str, data: dict[str, Any]) -> None:
        if member.sink is None:
            return
        if member.holds:
            member.held.append((kind, data))
        else:
            member.sink.emit(kind, data)


@asynccontextmanager
async def open_media(settings: Settings, bus: Publisher,
                     on_recording_lost: Callable[[str], None] | None = None,
                     parent: Supervisor | None = None) -> AsyncIterator[MediaService]:
    """Run a node's MediaService with its workers under ``parent`` (the root supervisor); on
    exit, let workers finish gracefully, then stop them. Workers stopped this way exit
    normally and are not restarted."""
    service = MediaService(settings, bus, on_recording_lost)
    async with trio.open_nursery() as nursery:
        await nursery.start(partial(service.run, parent=parent))
        try:
            yield service
        finally:
            await service.stop(parent)
            nursery.cancel_scope.cancel()
