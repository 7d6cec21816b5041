"""The registry: finds the actor for an address, activating it on its first message.

Owned by the Runtime (one per node). Each registered kind gets its own one_for_one supervisor
under the root supervisor; each activated actor is a dynamic child of its kind's supervisor.
Virtual-actor style: callers never create or destroy actors, they only address them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from vclinic.actors.actor import ActorContext, ActorFactory, run_actor
from vclinic.actors.address import Address
from vclinic.actors.bus import EventBus
from vclinic.actors.cell import ActorStatistics, Cell
from vclinic.actors.error import ActorStopped, UnknownActorKind
from vclinic.actors.policy import Restart, Strategy
from vclinic.actors.ref import ActorRef
from vclinic.actors.store import StateStore
from vclinic.actors.supervisor import ChildSpec, Supervisor
from vclinic.errors import Conflict

#: Default mailbox size of a kind: deep enough for bursts, small enough that a stuck actor
#: pushes back on its senders quickly.
DEFAULT_MAILBOX_SIZE = 64


@dataclass(frozen=True)
class KindStatistics:
    """A snapshot of one actor kind."""

    kind: str
    actors: int
    mailbox_depth: int
    max_mailbox_depth: int
    pending_calls: int
    restarts: int
    escalations: int


@dataclass(frozen=True)
class RegistryStatistics:
    """A snapshot of the registry, as returned by ``Registry.statistics()``."""

    actors_alive: int
    activations: int
    restarts: int
    mailbox_depth: int
    max_mailbox_depth: int
    pending_calls: int
    kinds: tuple[KindStatistics, ...]


@dataclass(frozen=True)
class _Kind:
    name: str
    factory: ActorFactory
    mailbox_size: int
    restart: Restart
    supervisor: Supervisor


class Registry:
    """Routes messages to actors by address and activates them on demand; owned by the Runtime.

    After ``close`` (runtime shutdown) every message is refused with ActorStopped.
    """

    def __init__(self, root: Supervisor, *, store: StateStore, bus: EventBus,
                 stop_grace: float = 5.0) -> None:
        self._root = root
        self._store = store
        self._bus = bus
        self._stop_grace = stop_grace
        self._kinds: dict[str, _Kind] = {}
        self._cells: dict[Address, Cell] = {}
        self._activations = 0
        self._closed = False

    def register_kind(
        self,
        kind: str,
        factory: ActorFactory,
        *,
        mailbox_size: int = DEFAULT_MAILBOX_SIZE,
        restart: Restart = Restart.TRANSIENT,
        intensity: int = 10,
        period: float = 10.0,
    ) -> None:
        """Make addresses ``kind:<id>`` activate ``factory(address, context)``.

        ``restart`` applies to each actor (TRANSIENT: restarted after a crash, dropped after
        ``context.stop()``). More than ``intensity`` crashes of this kind within ``period``
        seconds restart the whole kind through the root supervisor.
        """
        Address(kind, "x")  # validates the kind name
        if kind in self._kinds:
            raise Conflict("This actor kind is already registered.", kind=kind)
        supervisor = Supervisor(strategy=Strategy.ONE_FOR_ONE, intensity=intensity,
                                period=period, name=f"kind:{kind}")
        self._kinds[kind] = _Kind(kind, factory, mailbox_size, restart, supervisor)
        self._root.start_child(ChildSpec(id=f"kind:{kind}", start_factory=supervisor.run,
                                         restart=Restart.PERMANENT, supervisor=supervisor))

    def ref(self, address: Address | str) -> ActorRef:
        """A reference to the actor at ``address``; raises UnknownActorKind for an unknown kind."""
        if isinstance(address, str):
            address = Address.parse(address)
        self._kind(address)
        return ActorRef(address, self)

    def actor_statistics(self, address: Address | str) -> ActorStatistics | None:
        """A snapshot of one active actor, or None when it is not active."""
        if isinstance(address, str):
            address = Address.parse(address)
        cell = self._cells.get(address)
        return None if cell is None else cell.statistics()

    def statistics(self) -> RegistryStatistics:
        """Actors alive, activations, restarts and mailbox depths, overall and per kind."""
        cells: dict[str, list[ActorStatistics]] = {name: [] for name in self._kinds}
        for cell in self._cells.values():
            cells[cell.address.kind].append(cell.statistics())
        per_kind: list[KindStatistics] = []
        for name, kind in self._kinds.items():
            actors = cells[name]
            sup = kind.supervisor.statistics()
            per_kind.append(KindStatistics(
                kind=name, actors=len(actors),
                mailbox_depth=sum(a.mailbox_depth for a in actors),
                max_mailbox_depth=max((a.mailbox_depth for a in actors), default=0),
                pending_calls=sum(a.pending_calls for a in actors),
                restarts=sup.restarts, escalations=sup.escalations,
            ))
        return RegistryStatistics(
            actors_alive=len(self._cells), activations=self._activations,
            restarts=sum(k.restarts for k in per_kind),
            mailbox_depth=sum(k.mailbox_depth for k in per_kind),
            max_mailbox_depth=max((k.max_mailbox_depth for k in per_kind), default=0),
            pending_calls=sum(k.pending_calls for k in per_kind),
            kinds=tuple(per_kind),
        )

    def close(self) -> None:
        """Refuse further messages and fail every waiting call; called at runtime shutdown."""
        self._closed = True
        cells, self._cells = list(self._cells.values()), {}
        for cell in cells:
            cell.close()

    def _kind(self, address: Address) -> _Kind:
        kind = self._kinds.get(address.kind)
        if kind is None:
            raise UnknownActorKind("No actor kind is registered under this name.",
                                   kind=address.kind)
        return kind

    def _cell_for(self, address: Address) -> Cell:
        """The cell for ``address``, activating the actor if it is not active."""
        if self._closed:
            raise ActorStopped("The actor runtime has stopped.", actor=str(address))
        cell = self._cells.get(address)
        if cell is None:
            cell = self._activate(address)
        return cell

    def _activate(self, address: Address) -> Cell:
        kind = self._kind(address)
        cell = Cell(address, kind.mailbox_size)
        self._cells[address] = cell
        self._activations += 1
        kind.supervisor.start_child(ChildSpec(
            id=str(address),
            start_factory=partial(self._run, cell, kind),
            restart=kind.restart,
            on_terminated=partial(self._terminated, cell),
        ))
        return cell

    async def _run(self, cell: Cell, kind: _Kind) -> None:
        context = ActorContext(cell.address, store=self._store, bus=self._bus, registry=self)
        await run_actor(cell, kind.factory, context, self._stop_grace)

    def _terminated(self, cell: Cell, error: BaseException | None) -> None:
        if self._cells.get(cell.address) is cell:
            del self._cells[cell.address]
        # An actor that stopped normally had drained its mailbox first, so anything left came
        # in while it ran on_stop: hand it to a new activation rather than lose it. After a
        # crash (a TEMPORARY kind) the actor may fail before consuming anything, so handing on
        # could loop forever; its leftovers are refused instead.
        if error is None and not self._closed and cell.mailbox.statistics().depth:
            cell.hand_over(self._activate(cell.address))
        cell.close()
