"""The vclinic actor runtime: addresses, actors, supervisors, the registry and the event bus.

See docs/actors.md. Built once per node by the composition root with ``open_runtime``.
"""

from __future__ import annotations

from vclinic.actors.actor import Actor, ActorContext, ActorFactory
from vclinic.actors.address import Address
from vclinic.actors.bus import BusStatistics, EventBus, Published, SubscriptionLost
from vclinic.actors.cell import ActorStatistics
from vclinic.actors.error import (
    ActorCrashed,
    ActorStopped,
    MailboxFull,
    SupervisorEscalation,
    UnknownActorKind,
)
from vclinic.actors.mailbox import Mailbox, MailboxStatistics
from vclinic.actors.memory import MemoryStateStore
from vclinic.actors.message import Envelope
from vclinic.actors.policy import Restart, RestartIntensity, Strategy, should_restart
from vclinic.actors.ref import ActorRef
from vclinic.actors.registry import KindStatistics, Registry, RegistryStatistics
from vclinic.actors.runtime import Runtime, RuntimeStatistics, open_runtime
from vclinic.actors.store import StateStore
from vclinic.actors.supervisor import ChildSpec, Supervisor, SupervisorStatistics

__all__ = [
    "Actor",
    "ActorContext",
    "ActorCrashed",
    "ActorFactory",
    "ActorRef",
    "ActorStatistics",
    "ActorStopped",
    "Address",
    "BusStatistics",
    "ChildSpec",
    "Envelope",
    "EventBus",
    "KindStatistics",
    "Mailbox",
    "MailboxFull",
    "MailboxStatistics",
    "MemoryStateStore",
    "Published",
    "Registry",
    "RegistryStatistics",
    "Restart",
    "RestartIntensity",
    "Runtime",
    "RuntimeStatistics",
    "StateStore",
    "Strategy",
    "SubscriptionLost",
    "Supervisor",
    "SupervisorEscalation",
    "SupervisorStatistics",
    "UnknownActorKind",
    "open_runtime",
    "should_restart",
]
