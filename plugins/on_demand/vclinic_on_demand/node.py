"""What a node's QueueActors share: the node's services and the queue metrics; built by the
plugin's ``vclinic_register_actor_kinds(services)``, one per node, and handed to each QueueActor
by its factory.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from prometheus_client import Counter, Histogram

from vclinic.api import AppContext, new_id

#: Buckets of the wait-time histogram, in seconds (10 s to 2 h).
WAIT_BUCKETS = (10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


class QueueMetrics:
    """Queue metrics on the node's ``/metrics``: waiting, waits, outcomes."""

    def __init__(self, metrics: Any) -> None:
        # ``metrics`` is the node's Metrics: a prometheus registry and scrape-time samplers.
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

    app: AppContext
    metrics: QueueMetrics
    #: Tells this run of the node from earlier ones (a QueueActor's presence snapshot).
    boot: str = dataclasses.field(default_factory=new_id)

    @classmethod
    def of(cls, app: AppContext) -> Node:
        """The shared part of one node's QueueActors; registers the queue metrics."""
        return cls(app, QueueMetrics(app.metrics))
