"""The notifications service's Prometheus collector: deliveries per channel, retries waiting.

Registered by the composition root in the node's registry; read at scrape time from
:meth:`Notifications.statistics` (in memory, no I/O).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from vclinic.notifications.service import Notifications


class NotificationCollector(Collector):
    """Collects one notifications service's figures; owned by the node's metrics registry."""

    def __init__(self, notifications: Notifications) -> None:
        self._notifications = notifications

    def collect(self) -> Iterator[Any]:
        stats = self._notifications.statistics()
        families = {
            "sent": CounterMetricFamily("vclinic_notifications_sent",
                                        "Notices a channel accepted", labels=["channel"]),
            "failed": CounterMetricFamily("vclinic_notifications_failed",
                                          "Deliveries that failed (each retry counts)",
                                          labels=["channel"]),
            "dropped": CounterMetricFamily("vclinic_notifications_dropped",
                                           "Deliveries given up after their retries",
                                           labels=["channel"]),
        }
        for channel in stats.channels:
            families["sent"].add_metric([channel.name], channel.sent)
            families["failed"].add_metric([channel.name], channel.failed)
            families["dropped"].add_metric([channel.name], channel.dropped)
        yield from families.values()
        yield GaugeMetricFamily("vclinic_notifications_retrying",
                                "Failed deliveries waiting for a retry", value=stats.retrying)
