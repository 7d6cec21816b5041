"""The trio side of the media plane: one MediaClient per worker process, a MediaPool over them.

A :class:`MediaClient` spawns ``python -m vclinic.media.worker``, speaks the framed protocol of
:mod:`vclinic.media.protocol` over its stdin/stdout, matches replies to requests by ``txn`` and
publishes the worker's events on a bounded channel. When the process dies it fails the requests in
flight with :class:`Unavailable` and :meth:`serve` raises: the worker is a TRANSIENT child of a
supervisor (:meth:`child_spec`), which starts a new incarnation within its restart intensity.
That incarnation recreates the rooms and handles with their permissions and emits
:class:`WorkerRestarted`: the owners of those handles must have their clients renegotiate (send a
fresh ``offer``). :meth:`run` supervises one worker on its own (at most ``max_restarts`` in
``restart_window`` seconds, else it raises). Nothing here imports aiortc.

Events channel: capacity :data:`EVENT_BUFFER`; when full, ``stats`` events are dropped and every
other event waits (the reader stops reading the pipe until there is room).
"""

from __future__ import annotations

import contextlib
import itertools
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import trio

from vclinic.actors import ChildSpec, Restart, Supervisor
from vclinic.actors.error import SupervisorEscalation
from vclinic.errors import Unavailable, VclinicError, error_from_wire
from vclinic.ids import new_id
from vclinic.log import get_logger
from vclinic.media import protocol as p

log = get_logger("media.client")
EVENT_BUFFER = 1024
#: Seconds a worker that was asked to shut down gets to exit by itself before it is killed.
EXIT_GRACE = 5.0


_ALL = p.Permissions()


@dataclass(frozen=True)
class WorkerRestarted:
    """A worker died and came back: ``handles`` lost their connections and must renegotiate."""

    TYPE = "worker_restarted"
    pid: int
    rooms: tuple[str, ...]
    handles: tuple[str, ...]


class _Pending:
    def __init__(self) -> None:
        self.done = trio.Event()
        self.result: dict[str, Any] | None = None
        self.error: VclinicError | None = None


class MediaClient:
    """Supervisor and request/reply channel for one media worker process."""

    def __init__(
        self, config: p.WorkerConfig | None = None, *, max_restarts: int = 5,
        restart_window: float = 60.0,
    ) -> None:
        self.config = config or p.WorkerConfig()
        self.max_restarts = max_restarts
        self.restart_window = restart_window
        self.pid: int | None = None
        self.restarts = 0
        self._txns = (f"{new_id()[:6]}-{n}" for n in itertools.count())
        self._pending: dict[str, _Pending] = {}
        self._process: trio.Process | None = None
        self._write_lock = trio.Lock()
        self._events_send, self.events = trio.open_memory_channel[Any](EVENT_BUFFER)
        self._rooms: set[str] = set()
        self._joins: dict[str, p.Join] = {}
        self._ready = trio.Event()
        #: Set at the first hello, or when the worker is stopped before it said hello.
        self._up = trio.Event()
        self._stopped = trio.Event()
        self._incarnations = 0
        self._stopping = False

    @property
    def load(self) -> int:
        """Rooms plus participants on this worker; the pool places rooms on the least loaded."""
        return len(self._rooms) + len(self._joins)

    # Supervision ---------------------------------------------------------------------------

    def child_spec(self, child_id: str) -> ChildSpec:
        """This worker as a TRANSIENT child of a supervisor: :meth:`serve` is one incarnation;
        a death is a crash the supervisor restarts (within its intensity), a shutdown is a
        normal exit that is not restarted."""
        return ChildSpec(child_id, self.serve, restart=Restart.TRANSIENT,
                         on_terminated=self._terminated)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Keep a worker running under a supervisor of its own until cancelled or
        :meth:`shutdown`; ``started`` at first hello. More than ``max_restarts`` deaths within
        ``restart_window`` seconds raise :class:`Unavailable` (``media_worker_failed``).

        For a worker on its own (tests, benchmarks); a node's workers are children of its
        media supervisor instead (see :mod:`vclinic.media.service`).
        """
        supervisor = Supervisor([self.child_spec("worker")], intensity=self.max_restarts,
                                period=self.restart_window, name="media-worker")
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(supervisor.run)
                await self._up.wait()
                task_status.started()
                await self._stopped.wait()
                nursery.cancel_scope.cancel()
        except BaseExceptionGroup as group:
            escalated, _ = group.split(SupervisorEscalation)
            if escalated is None:
                raise
            raise Unavailable("media worker keeps dying", code="media_worker_failed") from group

    def _terminated(self, error: BaseException | None) -> None:
        self._up.set()
        self._stopped.set()

    async def serve(self) -> None:
        """Run one incarnation of the worker process until it exits: a supervised child.

        Returns after :meth:`shutdown` (or when its supervisor cancels it: the process is then
        killed); raises :class:`Unavailable` when the process died or never said hello, which
        its supervisor counts as a crash. An incarnation after the first recreates the rooms
        and handles and emits :class:`WorkerRestarted`.
        """
        restart = self._incarnations > 0
        self._incarnations += 1
        if restart:
            self.restarts += 1
        process = await trio.lowlevel.open_process(
            [sys.executable, "-m", "vclinic.media.worker", "--config", self.config.to_json()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        self._process = process
        try:
            hello = await self._read_until_hello(process)
            self.pid = hello.pid
            log.info("media_worker_ready", pid=hello.pid)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._read_loop, process, nursery.cancel_scope)
                if restart:
                    await self._restore()
                self._ready.set()
                self._up.set()
                if restart:
                    await self._events_send.send(WorkerRestarted(
                        pid=hello.pid, rooms=tuple(sorted(self._rooms)),
                        handles=tuple(sorted(self._joins))))
        except Unavailable as exc:
            if not self._stopping:
                log.warning("media_worker_failed_to_start", code=exc.code)
        finally:
            self._ready = trio.Event()
            self._fail_pending()
            with trio.CancelScope(shield=True):
                if self._stopping and process.returncode is None:
                    # After a shutdown request the worker closes its pipe a moment before
                    # it exits; let it finish instead of killing it mid-exit.
                    with trio.move_on_after(EXIT_GRACE):
                        await process.wait()
                if process.returncode is None:
                    process.kill()
                await process.wait()
        if self._stopping:
            return  # asked to stop: a normal exit, never restarted
        log.warning("media_worker_died", pid=self.pid, returncode=process.returncode)
        raise Unavailable("media worker died", code="media_worker_died")

    async def _read_until_hello(self, process: trio.Process) -> p.Hello:
        self._decoder = p.FrameDecoder()
        self._buffered: list[Any] = []
        assert process.stdout is not None
        while True:
            data = await process.stdout.receive_some(65536)
            if not data:
                raise Unavailable("media worker exited before saying hello", code="media_down")
            try:
                objs = self._decoder.feed(data)
            except VclinicError as exc:
                raise Unavailable("media worker wrote a corrupt frame", code="media_down") from exc
            for i, obj in enumerate(objs):
                try:
                    message = p.from_wire(obj)
                except VclinicError as exc:
                    raise Unavailable("media worker speaks another protocol",
                                      code="media_protocol_mismatch") from exc
                if isinstance(message, p.Hello):
                    if message.version != p.PROTOCOL_VERSION:
                        raise Unavailable("media worker speaks another protocol version")
                    self._buffered = objs[i + 1:]
                    return message

    async def _read_loop(self, process: trio.Process, scope: trio.CancelScope) -> None:
        """Dispatch frames until the worker's stdout closes, then end the worker's scope."""
        assert process.stdout is not None
        for obj in self._buffered:
            await self._dispatch(obj)
        while True:
            try:
                data = await process.stdout.receive_some(65536)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                data = b""
            try:
                objs = self._decoder.feed(data) if data else []
            except VclinicError:
                log.warning("media_worker_corrupt_output", pid=self.pid)
                data = b""
            if not data:
                self._fail_pending()
                scope.cancel()
                return
            for obj in objs:
                await self._dispatch(obj)

    async def _dispatch(self, obj: Any) -> None:
        try:
            message = p.from_wire(obj)
        except VclinicError:
            log.warning("media_bad_frame")
            return
        match message:
            case p.Ack():
                return
            case p.Reply(txn=txn, data=data):
                pending = self._pending.pop(txn, None)
                if pending is not None:
                    pending.result = data
                    pending.done.set()
            case p.ErrorReply(txn=txn, code=code, message=text, status=status):
                pending = self._pending.pop(txn, None)
                if pending is not None:
                    pending.error = error_from_wire(code, text, status)
                    pending.done.set()
            case p.Stats():
                with contextlib.suppress(trio.WouldBlock):
                    self._events_send.send_nowait(message)
            case _:
                await self._events_send.send(message)

    def _fail_pending(self) -> None:
        pending, self._pending = self._pending, {}
        for item in pending.values():
            item.error = Unavailable("media worker went away", code="media_down")
            item.done.set()

    async def _restore(self) -> None:
        """Recreate rooms and handles (not connections) in a fresh worker."""
        for room in sorted(self._rooms):
            await self._call(p.CreateRoom(txn=next(self._txns), room=room))
        for join in list(self._joins.values()):
            await self._call(p.Join(txn=next(self._txns), room=join.room, handle=join.handle,
                                    permissions=join.permissions, consent=join.consent))

    # Requests ------------------------------------------------------------------------------

    async def _call(self, request: p.Request) -> dict[str, Any]:
        process = self._process
        if process is None or process.stdin is None:
            raise Unavailable("media worker is not running", code="media_down")
        pending = self._pending[request.txn] = _Pending()
        try:
            async with self._write_lock:
                await process.stdin.send_all(p.encode_frame(request))
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            self._pending.pop(request.txn, None)
            raise Unavailable("media worker went away", code="media_down") from None
        await pending.done.wait()
        if pending.error is not None:
            raise pending.error
        return pending.result or {}

    async def request(self, request: p.Request) -> dict[str, Any]:
        """Send one request once a worker is up; its reply data, or its error raised."""
        await self._ready.wait()
        return await self._call(request)

    def _txn(self) -> str:
        return next(self._txns)

    async def create_room(self, room: str) -> None:
        await self.request(p.CreateRoom(txn=self._txn(), room=room))
        self._rooms.add(room)

    async def destroy_room(self, room: str) -> dict[str, Any] | None:
        self._rooms.discard(room)
        for handle in [h for h, j in self._joins.items() if j.room == room]:
            del self._joins[handle]
        data = await self.request(p.DestroyRoom(txn=self._txn(), room=room))
        return data.get("recording")

    async def join(
        self, room: str, handle: str, permissions: p.Permissions = _ALL,
        consent: bool = False,
    ) -> None:
        join = p.Join(txn=self._txn(), room=room, handle=handle, permissions=permissions,
                      consent=consent)
        await self.request(join)
        self._joins[handle] = join

    async def leave(self, handle: str) -> None:
        self._joins.pop(handle, None)
        await self.request(p.Leave(txn=self._txn(), handle=handle))

    async def offer(self, handle: str, sdp: str, sources: dict[str, str] | None = None) -> str:
        """Send a client's offer; returns the worker's answer SDP."""
        data = await self.request(p.Offer(txn=self._txn(), handle=handle, sdp=sdp,
                                          sources=dict(sources or {})))
        return str(data["sdp"])

    async def answer(self, handle: str, sdp: str) -> None:
        await self.request(p.Answer(txn=self._txn(), handle=handle, sdp=sdp))

    async def candidate(
        self, handle: str, candidate: str | None, sdp_mid: str | None = None,
        sdp_mline_index: int | None = None,
    ) -> None:
        await self.request(p.Candidate(txn=self._txn(), handle=handle, candidate=candidate,
                                       sdp_mid=sdp_mid, sdp_mline_index=sdp_mline_index))

    async def set_permissions(self, handle: str, permissions: p.Permissions) -> None:
        await self.request(p.SetPermissions(txn=self._txn(), handle=handle,
                                            permissions=permissions))
        join = self._joins.get(handle)
        if join is not None:
            self._joins[handle] = p.Join(txn=join.txn, room=join.room, handle=handle,
                                         permissions=permissions, consent=join.consent)

    async def set_state(self, handle: str, audio_muted: bool, video_muted: bool) -> None:
        await self.request(p.SetState(txn=self._txn(), handle=handle, audio_muted=audio_muted,
                                      video_muted=video_muted))

    async def start_recording(self, room: str, directory: str) -> None:
        await self.request(p.StartRecording(txn=self._txn(), room=room, directory=directory))

    async def stop_recording(self, room: str) -> dict[str, Any]:
        return await self.request(p.StopRecording(txn=self._txn(), room=room))

    async def status(self) -> dict[str, Any]:
        return await self.request(p.GetStatus(txn=self._txn()))

    async def shutdown(self) -> None:
        """Close every room (finishing recordings) and stop the worker; :meth:`run` returns."""
        self._stopping = True
        # A worker already gone is fine: run() sees the exit and returns.
        with contextlib.suppress(Unavailable):
            await self.request(p.Shutdown(txn=self._txn()))


class MediaPool:
    """Several MediaClients; places each new room on the least-loaded worker."""

    def __init__(self, clients: list[MediaClient]) -> None:
        if not clients:
            raise ValueError("a media pool needs at least one worker")
        self.clients = clients
        self._rooms: dict[str, MediaClient] = {}

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            for client in self.clients:
                await nursery.start(client.run)
            task_status.started()

    def client_for(self, room: str) -> MediaClient:
        """The worker hosting ``room``, choosing the least loaded for a new room."""
        client = self._rooms.get(room)
        if client is None:
            client = min(self.clients, key=lambda c: c.load)
            self._rooms[room] = client
        return client

    async def create_room(self, room: str) -> MediaClient:
        client = self.client_for(room)
        await client.create_room(room)
        return client

    async def destroy_room(self, room: str) -> dict[str, Any] | None:
        client = self._rooms.pop(room, None)
        return await client.destroy_room(room) if client is not None else None
