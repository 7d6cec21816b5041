"""What a node's QueueActors share: the AppContext and the queue metrics; owned by the plugin's
start-up hook, one per node.

Actor kinds are registered before the AppContext exists, so the QueueActor factory finds its
node by the event bus its ActorContext carries (one bus per node; tests run several nodes in one
process).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from prometheus_client import Counter, Histogram

from vclinic.ids import new_id

#: Buckets of the wait-time histogram, in seconds (10 s to 2 h).
WAIT_BUCKETS = (10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


class QueueMetrics:
    """Queue metrics on the node's ``/metrics``: waiting, waits, outcomes."""

    def __init__(self, metrics: Any) -> None:
        registry = metrics.registry
        self.waits = Histogram("vclinic_on_demand_wait_seconds",
                               "Time from entering the queue to being claimed",
                               buckets=WAIT_BUCKETS, registry=registry)
        self.ended = Counter("vclinic_on_demand_requests_ended",
                             "Requests that left the queue, by outcome", ["outcome"],
                             registry=registry)
        #: organisation id -> patients waiting, updated by each QueueActor.
        self.waiting: dict[str, int] = {}
        metrics.add_sampler(self.sample)

    def sample(self) -> dict[str, tuple[str, float]]:
        return {"vclinic_on_demand_waiting": ("Patients in on-demand queues now",
                                              float(sum(self.waiting.values())))}


@dataclasses.dataclass
class Node:
    """The services QueueActors of one node use."""

    app: Any
    metrics: QueueMetrics
    #: Tells this run of the node from earlier ones (a QueueActor's presence snapshot).
    boot: str = dataclasses.field(default_factory=new_id)


_NODES: dict[int, Node] = {}


def attach(app: Any) -> Node:
    node = Node(app, QueueMetrics(app.metrics))
    _NODES[id(app.runtime.bus)] = node
    return node


def of(bus: Any) -> Node:
    return _NODES[id(bus)]
