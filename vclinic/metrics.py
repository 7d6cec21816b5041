"""Prometheus metrics of one node, in a registry of its own (so tests can run several apps)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class _Sampled(Collector):
    """Gauges read at scrape time from a callback (actor counts, queue lengths, ...)."""

    def __init__(self, sample: Callable[[], dict[str, tuple[str, float]]]) -> None:
        self._sample = sample

    def collect(self) -> Iterator[Any]:
        for name, (doc, value) in self._sample().items():
            family = GaugeMetricFamily(name, doc)
            family.add_metric([], value)
            yield family


class Metrics:
    """The node's counters and gauges; owned by the AppContext."""

    content_type = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "vclinic_http_requests", "HTTP requests served", ["method", "status"],
            registry=self.registry,
        )
        self.ws_connections = Gauge(
            "vclinic_ws_connections", "Open /ws connections", registry=self.registry
        )
        self.ws_messages = Counter(
            "vclinic_ws_messages", "Messages received on /ws", ["outcome"], registry=self.registry
        )
        self.signin_failures = Counter(
            "vclinic_signin_failures", "Failed sign-in attempts", registry=self.registry
        )

    def add_sampler(self, sample: Callable[[], dict[str, tuple[str, float]]]) -> None:
        """Register a callback giving ``{metric_name: (help, value)}`` at scrape time."""
        self.registry.register(_Sampled(sample))

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
