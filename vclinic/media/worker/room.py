"""A room: the participants of one session inside a worker, who receives what, and recording.

Owned by the worker's :class:`~vclinic.media.worker.server.Server`; lives from ``create_room`` to
``destroy_room``. Decides subscriptions from each subscriber's permissions (``desired_for``),
renegotiates everyone when tracks come and go, and records consenting participants.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from vclinic.errors import Conflict, NotFound
from vclinic.media import protocol as p
from vclinic.media.worker.peer import Participant
from vclinic.media.worker.recorder import ParticipantRecorder
from vclinic.media.worker.uptrack import UpTrack


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

    def __init__(self, room_id: str, config: Any, emit: Callable[[p.Message], None]) -> None:
        self.id = room_id
        self.config = config
        self.emit = emit
        self.participants: dict[str, Participant] = {}
        self.recording: Recording | None = None

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
