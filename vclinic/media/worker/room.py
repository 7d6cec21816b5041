"""A room: the participants of one session inside a worker, who receives what, and recording.

Owned by the worker's :class:`~vclinic.media.worker.server.Server`; lives from ``create_room`` to
``destroy_room``. Decides subscriptions from each subscriber's permissions (``desired_for``),
renegotiates everyone when tracks come and go, chooses the room's video codec and records
consenting participants.

Video codec: the first offer settles it. H.264 when the worker's config prefers it
(``prefer_h264``) and that offer's video sections all offer a forwardable H.264 format, else
VP8. A later offer without H.264 (a VP8-only browser, or one with no video section, whose
decoders are unknown) turns an H.264 room into a VP8 room for good: every participant's
connection (a newcomer has none yet) is dropped and its client told to offer a fresh one
(``negotiation_failed``, reason ``codec_changed``), so no subscriber is ever sent a codec it
did not negotiate. An offer whose video sections lack the room's codec is refused
(``unsupported_codec``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from vclinic.errors import BadRequest, Conflict, NotFound
from vclinic.log import get_logger
from vclinic.media import protocol as p
from vclinic.media.sdp import SessionSummary
from vclinic.media.worker.peer import Participant
from vclinic.media.worker.recorder import ParticipantRecorder
from vclinic.media.worker.uptrack import UpTrack

log = get_logger("media.room")
_CODEC_NAMES = {"vp8": "VP8", "h264": "H.264"}


class Recording:
    """One recording of a room: a recorder per consenting participant."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.started = time.monotonic()
        self.recorders: dict[str, ParticipantRecorder] = {}

    def recorder_for(self, handle: str) -> ParticipantRecorder:
        if handle not in self.recorders:
            path = os.path.join(self.directory, f"{handle}-{int(time.time())}.webm")
            self.recorders[handle] = ParticipantRecorder(path, handle)
        return self.recorders[handle]


class Room:
    """Participants by handle, plus the room's recording if one runs."""

    def __init__(self, room_id: str, config: p.WorkerConfig,
                 emit: Callable[[p.Message], None]) -> None:
        self.id = room_id
        self.config = config
        self.emit = emit
        self.participants: dict[str, Participant] = {}
        self.recording: Recording | None = None
        self._video_codec: str | None = None

    @property
    def video_codec(self) -> str:
        """``vp8`` or ``h264``: the one video codec every participant sends and receives."""
        return self._video_codec or "vp8"

    async def settle_video_codec(self, participant: Participant, offer: SessionSummary) -> None:
        """Choose or check the room's video codec for ``participant``'s offer (see the module
        docstring); raises :class:`BadRequest` when the offer cannot use it."""
        offered = offer.video_codecs
        if self._video_codec is None:
            prefer = self.config.prefer_h264
            self._video_codec = "h264" if prefer and "h264" in offered else "vp8"
        elif self._video_codec == "h264" and "h264" not in offered:
            self._video_codec = "vp8"
            log.info("video_codec_fallback", room=self.id, handle=participant.handle)
            for other in list(self.participants.values()):
                await other.replace_connection("codec_changed")
        if any(m.kind == "video" for m in offer.media) and self._video_codec not in offered:
            name = _CODEC_NAMES[self._video_codec]
            raise BadRequest(f"this call uses {name} video, which the offer lacks",
                             code="unsupported_codec")

    def join(self, handle: str, permissions: p.Permissions, consent: bool) -> Participant:
        if handle in self.participants:
            raise Conflict("handle already joined", code="handle_exists")
        participant = Participant(self, handle, permissions, consent, self.emit)
        self.participants[handle] = participant
        return participant

    def get(self, handle: str) -> Participant:
        try:
            return self.participants[handle]
        except KeyError:
            raise NotFound("no such media handle", code="unknown_handle") from None

    async def leave(self, handle: str) -> None:
        participant = self.participants.pop(handle, None)
        if participant is not None:
            await participant.close()
            self.tracks_changed()

    async def close(self) -> dict[str, Any] | None:
        result = self.stop_recording() if self.recording else None
        for handle in list(self.participants):
            await self.leave(handle)
        return result

    def desired_for(self, subscriber: Participant) -> list[UpTrack]:
        """Every UpTrack ``subscriber`` should receive now."""
        out = []
        for publisher in self.participants.values():
            if publisher is subscriber:
                continue
            for up in publisher.uptracks.values():
                if up.allowed and not up.closed and subscriber.permissions.may_receive(
                    publisher.handle, up.source
                ):
                    out.append(up)
        return out

    def tracks_changed(self) -> None:
        """Tracks or permissions changed: stop unwanted forwarding now, then renegotiate."""
        for participant in self.participants.values():
            participant.prune()

    def set_permissions(self, handle: str, permissions: p.Permissions) -> None:
        self.get(handle).set_permissions(permissions)
        self.tracks_changed()

    # Recording ---------------------------------------------------------------------------------

    def start_recording(self, directory: str) -> None:
        if self.recording is not None:
            raise Conflict("room is already recording", code="already_recording")
        os.makedirs(directory, exist_ok=True)
        self.recording = Recording(directory)
        for participant in self.participants.values():
            for up in participant.uptracks.values():
                self.attach_sinks(up)

    def attach_sinks(self, up: UpTrack) -> None:
        """Record ``up`` if a recording runs and its publisher consented."""
        publisher = self.participants.get(up.publisher)
        if self.recording is None or publisher is None or not publisher.consent:
            return
        if up.source == "screen":
            return
        recorder = self.recording.recorder_for(up.publisher)
        up.sinks.append(recorder.on_packet)
        up.request_keyframe()

    def stop_recording(self) -> dict[str, Any]:
        recording, self.recording = self.recording, None
        if recording is None:
            raise Conflict("room is not recording", code="not_recording")
        for participant in self.participants.values():
            for up in participant.uptracks.values():
                up.sinks = [s for s in up.sinks if getattr(s, "__self__", None) not in
                            recording.recorders.values()]
        files = []
        for handle, recorder in recording.recorders.items():
            duration = recorder.close()
            if duration is not None:
                files.append({"handle": handle, "path": recorder.path, "duration": duration})
        return {
            "files": files,
            "duration": time.monotonic() - recording.started,
            "participants": [f["handle"] for f in files],
        }
