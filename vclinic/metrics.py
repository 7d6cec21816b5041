"""Prometheus metrics of one node, in a registry of its own (so tests can run several apps).

Conventions (``docs/configuration.md`` lists every metric): counters end in ``_total``,
durations are ``_seconds`` histograms, current amounts are gauges. Three ways in:

- the counters and histograms below, updated where things happen (requests, ``/ws``, sign-in,
  email delivery);
- collectors read at scrape time from in-memory state (``registry.register(collector)``: the
  actor runtime, the media plane);
- *refreshers*: coroutines awaited by ``/metrics`` before it renders, for figures that need the
  database (email outbox, On-Demand queue); each sets gauges it made with :meth:`Metrics.gauge`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from vclinic.errors import DatabaseUnavailable

#: Buckets of HTTP latency, in seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Sample = dict[str, tuple[str, float]]


class _Sampled(Collector):
    """Values read at scrape time from a callback: ``{name: (help, value)}``. A name ending in
    ``_total`` is a counter (a count since start), any other a gauge."""

    def __init__(self, sample: Callable[[], Sample]) -> None:
        self._sample = sample

    def collect(self) -> Iterator[Any]:
        for name, (doc, value) in self._sample().items():
            family: Any
            if name.endswith("_total"):
                family = CounterMetricFamily(name.removesuffix("_total"), doc, value=value)
            else:
                family = GaugeMetricFamily(name, doc, value=value)
            yield family


class Metrics:
    """The node's counters, gauges and histograms; owned by the AppContext."""

    content_type = "text/plain; version=0.0.4; charset=utf-8"

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._refreshers: list[Callable[[], Awaitable[None]]] = []
        self.http_requests = Counter(
            "vclinic_http_requests", "HTTP requests served", ["method", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "vclinic_http_request_duration_seconds",
            "Time to answer an HTTP request, by route pattern", ["method", "route"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.ws_connections = Gauge(
            "vclinic_ws_connections", "Open /ws connections", registry=self.registry
        )
        self.ws_opened = Counter(
            "vclinic_ws_connections_opened", "/ws connections accepted", registry=self.registry
        )
        self.ws_messages = Counter(
            "vclinic_ws_messages", "Messages received on /ws, by type and outcome",
            ["type", "outcome"], registry=self.registry,
        )
        self.signin_failures = Counter(
            "vclinic_signin_failures", "Failed sign-in attempts, by reason", ["reason"],
            registry=self.registry,
        )
        self.signin_lockouts = Counter(
            "vclinic_signin_lockouts", "Sign-in limits used up, by limit (pair, account)",
            ["limit"], registry=self.registry,
        )
        self.email_failures = Counter(
            "vclinic_email_send_failures", "Email delivery attempts that failed, by whether "
            "it was the last attempt", ["final"], registry=self.registry,
        )

    def gauge(self, name: str, doc: str, labels: Sequence[str] = ()) -> Gauge:
        """A new gauge in this registry (for refreshers and plugins)."""
        return Gauge(name, doc, list(labels), registry=self.registry)

    def add_sampler(self, sample: Callable[[], Sample]) -> None:
        """Register a callback giving ``{metric_name: (help, value)}`` at scrape time; it runs
        on the event loop, so it must not block (no database)."""
        self.registry.register(_Sampled(sample))

    def add_refresher(self, refresh: Callable[[], Awaitable[None]]) -> None:
        """Register a coroutine function that ``/metrics`` awaits before rendering, to set
        gauges from the database."""
        self._refreshers.append(refresh)

    async def refresh(self) -> None:
        """Run every refresher (called by ``/metrics``). While the database is unavailable
        their gauges keep their last values, so that the scrape still answers (and shows
        ``vclinic_database_unavailable_total`` rising) during an outage."""
        for refresh in self._refreshers:
            try:
                await refresh()
            except DatabaseUnavailable:
                continue

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
