"""The worker's request dispatcher: rooms and handles, acks and replies, periodic stats.

Owned by the worker process (:mod:`vclinic.media.worker.__main__`); one per process. Every
request is acknowledged at once and handled in its own task, so a slow negotiation never holds up
another participant; its single reply (or error) follows with the same ``txn``.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import Any, assert_never

from vclinic.errors import BadRequest, NotFound, VclinicError
from vclinic.log import get_logger
from vclinic.media import protocol as p
from vclinic.media.worker import hooks
from vclinic.media.worker.room import Room

log = get_logger("media.worker")


class Server:
    """All rooms of one worker process and the handles that point into them."""

    def __init__(self, config: p.WorkerConfig, send: Callable[[p.Message], None]) -> None:
        self.config = config
        self.send = send
        self.rooms: dict[str, Room] = {}
        self.handles: dict[str, Room] = {}
        self.stopping = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_bytes: dict[str, tuple[float, int, int]] = {}

    def receive(self, obj: Any) -> None:
        """Take one decoded frame from the pipe."""
        try:
            message = p.from_wire(obj)
        except VclinicError as exc:
            txn = obj.get("txn") if isinstance(obj, dict) else None
            if isinstance(txn, str):
                self.send(p.ErrorReply(txn=txn, code=exc.code, message=exc.message,
                                       status=exc.status))
            return
        if not isinstance(message, p.Request):
            return
        self.send(p.Ack(txn=message.txn))
        task = asyncio.ensure_future(self._run(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, request: p.Request) -> None:
        try:
            data = await self._dispatch(request)
        except VclinicError as exc:
            self.send(p.ErrorReply(txn=request.txn, code=exc.code, message=exc.message,
                                   status=exc.status))
        except Exception:
            log.exception("media_request_failed", type=request.TYPE, txn_id=request.txn)
            self.send(p.ErrorReply(txn=request.txn, code="internal_error",
                                   message="the media worker failed to handle the request"))
        else:
            self.send(p.Reply(txn=request.txn, data=data or {}))

    def _room(self, room_id: str) -> Room:
        try:
            return self.rooms[room_id]
        except KeyError:
            raise NotFound("no such media room", code="unknown_room") from None

    def _handle_room(self, handle: str) -> Room:
        try:
            return self.handles[handle]
        except KeyError:
            raise NotFound("no such media handle", code="unknown_handle") from None

    async def _dispatch(self, request: p.Request) -> dict[str, Any] | None:
        match request:
            case p.CreateRoom(room=room_id):
                if room_id not in self.rooms:
                    self.rooms[room_id] = Room(room_id, self.config, self.send)
                return None
            case p.DestroyRoom(room=room_id):
                room = self.rooms.pop(room_id, None)
                if room is None:
                    return None
                for handle in room.participants:
                    self.handles.pop(handle, None)
                return {"recording": await room.close()}
            case p.Join(room=room_id, handle=handle, permissions=perms, consent=consent):
                if handle in self.handles:
                    raise BadRequest("handle already joined", code="handle_exists")
                self._room(room_id).join(handle, perms, consent)
                self.handles[handle] = self.rooms[room_id]
                return None
            case p.Leave(handle=handle):
                self._last_bytes.pop(handle, None)
                room = self.handles.pop(handle, None)
                if room is not None:
                    await room.leave(handle)
                return None
            case p.Offer(handle=handle, sdp=sdp, sources=sources):
                participant = self._handle_room(handle).get(handle)
                return {"sdp": await participant.handle_offer(sdp, sources)}
            case p.Answer(handle=handle, sdp=sdp):
                await self._handle_room(handle).get(handle).handle_answer(sdp)
                return None
            case p.Candidate(handle=handle, candidate=line, sdp_mid=mid, sdp_mline_index=index):
                await self._handle_room(handle).get(handle).add_candidate(line, mid, index)
                return None
            case p.SetPermissions(handle=handle, permissions=perms):
                self._handle_room(handle).set_permissions(handle, perms)
                return None
            case p.SetState(handle=handle, audio_muted=audio, video_muted=video):
                self._handle_room(handle).get(handle).set_state(audio, video)
                return None
            case p.StartRecording(room=room_id, directory=directory):
                self._room(room_id).start_recording(directory)
                return None
            case p.StopRecording(room=room_id):
                return self._room(room_id).stop_recording()
            case p.GetStatus():
                return self.status()
            case p.Shutdown():
                for room_id in list(self.rooms):
                    await self.rooms.pop(room_id).close()
                self.handles.clear()
                self.stopping.set()
                return None
            case _:
                raise BadRequest("not a request the worker handles", code="unknown_type")
        assert_never(request)  # type: ignore[unreachable]

    def status(self) -> dict[str, Any]:
        counts = hooks.codec_instances
        return {
            "pid": os.getpid(),
            "rooms": len(self.rooms),
            "participants": len(self.handles),
            "encoders": {k.split(":")[1]: v for k, v in counts.items() if k.startswith("enc")},
            "decoders": {k.split(":")[1]: v for k, v in counts.items() if k.startswith("dec")},
        }

    async def report_stats(self) -> None:
        """Emit a ``stats`` event per connected participant every ``stats_seconds``."""
        while True:
            await asyncio.sleep(self.config.stats_seconds)
            for room in list(self.rooms.values()):
                for participant in list(room.participants.values()):
                    if participant.pc is not None:
                        await self._stats_for(room, participant)

    async def _stats_for(self, room: Room, participant: Any) -> None:
        now = time.monotonic()
        bytes_in = sum(up.bytes_in for up in participant.uptracks.values())
        bytes_out = sum(d.bytes_out for d in participant.slots)
        before = self._last_bytes.get(participant.handle, (now, bytes_in, bytes_out))
        self._last_bytes[participant.handle] = (now, bytes_in, bytes_out)
        elapsed = max(now - before[0], 1e-3)
        lost = received = 0
        for up in participant.uptracks.values():
            report = await up.receiver.getStats()
            for stat in report.values():
                if getattr(stat, "type", "") == "inbound-rtp":
                    lost += max(stat.packetsLost, 0)
                    received += stat.packetsReceived
        rtts = [d.rtt for d in participant.slots if d.rtt is not None]
        self.send(p.Stats(
            room=room.id, handle=participant.handle,
            bitrate_in=int((bytes_in - before[1]) * 8 / elapsed),
            bitrate_out=int((bytes_out - before[2]) * 8 / elapsed),
            packets_lost=lost,
            loss=lost / (lost + received) if lost + received else 0.0,
            rtt=sum(rtts) / len(rtts) if rtts else None,
        ))
