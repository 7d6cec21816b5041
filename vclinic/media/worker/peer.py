"""One participant's RTCPeerConnection with the worker: its published tracks and subscriptions.

Owned by a :class:`~vclinic.media.worker.room.Room`; lives from ``join`` to ``leave``. The client
offers what it publishes; the worker answers. The worker offers (``server_offer``) whenever the
set of tracks the participant should receive changes, one negotiation at a time, each bounded by
a deadline. aiortc cannot restart ICE on a connection, so an offer with new ICE credentials
replaces the connection (the participant keeps its handle and permissions).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.sdp import candidate_from_sdp

from vclinic.errors import BadRequest, Conflict, Forbidden, Unavailable, VclinicError
from vclinic.log import get_logger
from vclinic.media import protocol as p
from vclinic.media.sdp import assign_sources, validate, validate_candidate
from vclinic.media.worker.codec import CodecPlan, forwarded_preferences, restrict_codecs
from vclinic.media.worker.downtrack import DownTrack, SilentTrack
from vclinic.media.worker.uptrack import UpTrack

if TYPE_CHECKING:
    from vclinic.media.worker.room import Room

log = get_logger("media.peer")


class Participant:
    """A participant handle: connection, UpTracks by source, DownTrack slots, negotiation."""

    def __init__(
        self, room: Room, handle: str, permissions: p.Permissions, consent: bool,
        emit: Callable[[p.Message], None],
    ) -> None:
        self.room = room
        self.handle = handle
        self.permissions = permissions
        self.consent = consent
        self.emit = emit
        self.audio_muted = False
        self.video_muted = False
        self.pc: RTCPeerConnection | None = None
        self.uptracks: dict[str, UpTrack] = {}
        self.slots: list[DownTrack] = []
        self.closed = False
        self._up_mids: dict[str, str] = {}
        self._ufrag = ""
        self._plan = CodecPlan()
        self._lock = asyncio.Lock()
        self._dirty = False
        self._negotiation: asyncio.Task[None] | None = None
        self._deadline: asyncio.TimerHandle | None = None

    @property
    def config(self) -> Any:
        return self.room.config

    # Client offers and answers ------------------------------------------------------------

    async def handle_offer(self, sdp: str, sources: dict[str, str]) -> str:
        """Apply a client offer and return the answer SDP."""
        summary = validate(sdp)
        # A fresh connection (new ICE credentials) numbers its mids anew: the old connection's
        # sources must neither refuse its tracks nor decide which source they are.
        known = self._up_mids if summary.ice_ufrag == self._ufrag else {}
        by_mid = assign_sources(summary, sources, known)
        for source in by_mid.values():
            if not self.permissions.may_publish(source):
                raise Forbidden(f"not allowed to publish {source}", code="publish_forbidden")
        await self.room.settle_video_codec(self, summary)
        async with self._lock:
            if self.closed:
                raise Conflict("participant has left", code="left")
            restart = self.pc is not None and summary.ice_ufrag != self._ufrag
            if self.pc is not None and self.pc.signalingState != "stable" and not restart:
                raise Conflict("answer the server's offer first", code="negotiation_in_progress")
            if restart:
                # An ICE restart wins over a pending server offer, which dies with the old
                # connection; a client drops server offers for ICE credentials it no longer has.
                await self._reset()
                by_mid = assign_sources(summary, sources, {})
            if self.pc is None:
                self.pc = self._new_pc()
            pc = self.pc
            try:
                async with asyncio.timeout(self.config.negotiation_seconds):
                    await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
                    self._ufrag = summary.ice_ufrag
                    published, withdrawn = self._apply_offer(pc, by_mid)
                    await pc.setLocalDescription(await pc.createAnswer())
            except TimeoutError:
                await self._reset()
                raise Unavailable("negotiation timed out", code="negotiation_timeout") from None
            except VclinicError:
                raise
            except Exception as exc:  # aiortc raises anything from AssertionError to KeyError
                await self._reset()
                raise BadRequest("the offer could not be applied", code="invalid_sdp") from exc
            answer = pc.localDescription.sdp
        for up in published:
            self.emit(p.TrackPublished(room=self.room.id, handle=self.handle, source=up.source))
        for source in withdrawn:
            self.emit(p.TrackUnpublished(room=self.room.id, handle=self.handle, source=source))
        if published or withdrawn:
            self.room.tracks_changed()
        self.schedule_negotiation()
        return answer

    def _apply_offer(
        self, pc: RTCPeerConnection, by_mid: dict[str, str]
    ) -> tuple[list[UpTrack], list[str]]:
        slot_mids = {d.mid for d in self.slots}
        published: list[UpTrack] = []
        for t in pc.getTransceivers():
            if t.mid is None or t.mid in slot_mids:
                continue
            restrict_codecs(t, self.room.video_codec)
            self._plan.learn(t)
            source = by_mid.get(t.mid)
            if source is not None and t.mid not in self._up_mids:
                up = UpTrack(self.handle, source, t.kind, t.receiver)
                up.allowed = self.permissions.may_publish(source)
                up.muted = self._muted(source)
                self.uptracks[source] = up
                self._up_mids[t.mid] = source
                published.append(up)
        withdrawn = [s for mid, s in self._up_mids.items() if mid not in by_mid]
        for source in withdrawn:
            self.uptracks.pop(source).close()
        self._up_mids = {mid: s for mid, s in self._up_mids.items() if mid in by_mid}
        for up in published:
            self.room.attach_sinks(up)
        return published, withdrawn

    async def handle_answer(self, sdp: str) -> None:
        """Apply the client's answer to the worker's last ``server_offer``."""
        validate(sdp)
        async with self._lock:
            pc = self.pc
            if pc is None or pc.signalingState != "have-local-offer":
                raise BadRequest("no server offer awaits an answer", code="unexpected_answer")
            try:
                async with asyncio.timeout(self.config.negotiation_seconds):
                    await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
            except TimeoutError:
                await self._reset()
                raise Unavailable("negotiation timed out", code="negotiation_timeout") from None
            except Exception as exc:
                raise BadRequest("the answer could not be applied", code="invalid_sdp") from exc
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None
        self.schedule_negotiation(only_if_dirty=True)

    async def add_candidate(self, line: str | None, mid: str | None, index: int | None) -> None:
        if self.pc is None:
            raise Conflict("no connection yet: send an offer first", code="no_connection")
        if line is None:
            await self.pc.addIceCandidate(None)
            return
        try:
            candidate = candidate_from_sdp(validate_candidate(line))
        except (ValueError, IndexError, AssertionError) as exc:
            raise BadRequest("malformed ICE candidate", code="invalid_candidate") from exc
        candidate.sdpMid, candidate.sdpMLineIndex = mid, index
        if mid is None and index is None:
            candidate.sdpMLineIndex = 0
        await self.pc.addIceCandidate(candidate)

    # Server-driven renegotiation -------------------------------------------------------------

    def schedule_negotiation(self, only_if_dirty: bool = False) -> None:
        """Offer the client its current subscriptions once the connection is stable."""
        if not only_if_dirty:
            self._dirty = True
        if self._dirty and (self._negotiation is None or self._negotiation.done()):
            self._negotiation = asyncio.ensure_future(self._negotiate())

    def prune(self) -> None:
        """Stop forwarding, at once, every track this participant may no longer receive."""
        desired = set(self.room.desired_for(self))
        for slot in self.slots:
            if slot.up is not None and slot.up not in desired:
                slot.detach()
        self.schedule_negotiation()

    async def _negotiate(self) -> None:
        while self._dirty and not self.closed:
            async with self._lock:
                pc = self.pc
                if pc is None or pc.signalingState != "stable" or self._ufrag == "":
                    return
                self._dirty = False
                if not self._sync_slots(pc):
                    continue
                try:
                    with self._plan.applied(self.room.video_codec):
                        offer = await pc.createOffer()
                    await pc.setLocalDescription(offer)
                except Exception:
                    log.exception("server_offer_failed", handle=self.handle)
                    await self._reset()
                    self.emit(p.NegotiationFailed(
                        room=self.room.id, handle=self.handle, reason="offer_failed"))
                    return
                tracks = {
                    d.mid: {"handle": d.up.publisher, "source": d.up.source}
                    for d in self.slots if d.up is not None and d.mid is not None
                }
                self.emit(p.ServerOffer(
                    room=self.room.id, handle=self.handle, sdp=pc.localDescription.sdp,
                    tracks=tracks,
                ))
                loop = asyncio.get_running_loop()
                self._deadline = loop.call_later(
                    self.config.negotiation_seconds, self._answer_missed)

    def _sync_slots(self, pc: RTCPeerConnection) -> bool:
        desired = list(self.room.desired_for(self))
        current = {d.up for d in self.slots if d.up is not None}
        changed = False
        for slot in self.slots:
            if slot.up is not None and slot.up not in desired:
                slot.detach()
            if slot.up is None and slot.transceiver.direction != "inactive":
                slot.transceiver.direction = "inactive"
                changed = True
        for up in desired:
            if up in current:
                continue
            free = next(
                (d for d in self.slots if d.up is None and d.kind == up.kind), None)
            if free is None:
                track = SilentTrack(up.kind, f"{up.publisher}-{up.source}")
                transceiver = pc.addTransceiver(track, direction="sendonly")
                transceiver.setCodecPreferences(
                    forwarded_preferences(up.kind, self.room.video_codec))
                free = DownTrack(transceiver)
                self.slots.append(free)
            free.transceiver.direction = "sendonly"
            free.attach(up)
            changed = True
        return changed

    def _answer_missed(self) -> None:
        self._deadline = None
        self.emit(p.NegotiationFailed(room=self.room.id, handle=self.handle,
                                      reason="answer_timeout"))
        self._negotiation = asyncio.ensure_future(self._reset_locked())

    async def _reset_locked(self) -> None:
        async with self._lock:
            await self._reset()

    async def replace_connection(self, reason: str) -> None:
        """Drop the connection now and tell the client to offer a fresh one."""
        async with self._lock:
            if self.pc is None:
                return
            await self._reset()
        self.emit(p.NegotiationFailed(room=self.room.id, handle=self.handle, reason=reason))

    # Lifetime ----------------------------------------------------------------------------------

    def _new_pc(self) -> RTCPeerConnection:
        servers = [RTCIceServer(urls=url) for url in self.config.ice_servers]
        pc = RTCPeerConnection(RTCConfiguration(
            iceServers=servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))

        @pc.on("connectionstatechange")
        def on_state() -> None:
            if pc is self.pc:
                self.emit(p.ConnectionState(
                    room=self.room.id, handle=self.handle, state=pc.connectionState))

        return pc

    async def _reset(self) -> None:
        """Drop the connection, its published tracks and its subscription slots."""
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        pc, self.pc = self.pc, None
        withdrawn = list(self.uptracks)
        for up in self.uptracks.values():
            up.close()
        self.uptracks.clear()
        self._up_mids.clear()
        for slot in self.slots:
            slot.detach()
        self.slots.clear()
        self._ufrag = ""
        self._plan = CodecPlan()
        self._dirty = True
        for source in withdrawn:
            self.emit(p.TrackUnpublished(room=self.room.id, handle=self.handle, source=source))
        if withdrawn:
            self.room.tracks_changed()
        if pc is not None:
            await pc.close()

    async def close(self) -> None:
        self.closed = True
        if self._negotiation is not None:
            self._negotiation.cancel()
        async with self._lock:
            await self._reset()

    # Permissions and state -------------------------------------------------------------------

    def _muted(self, source: str) -> bool:
        return self.audio_muted if source == "audio" else (
            self.video_muted if source == "video" else False)

    def set_permissions(self, permissions: p.Permissions) -> None:
        self.permissions = permissions
        for up in self.uptracks.values():
            allowed = permissions.may_publish(up.source)
            if up.allowed and not allowed:
                self.emit(p.TrackRevoked(room=self.room.id, handle=self.handle,
                                         source=up.source))
            up.set_allowed(allowed)

    def set_state(self, audio_muted: bool, video_muted: bool) -> None:
        self.audio_muted, self.video_muted = audio_muted, video_muted
        for up in self.uptracks.values():
            up.set_muted(self._muted(up.source))
        self.emit(p.ParticipantState(room=self.room.id, handle=self.handle,
                                     audio_muted=audio_muted, video_muted=video_muted))
