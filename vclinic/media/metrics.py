"""The media plane's Prometheus collector: rooms, participants, each worker's load and restarts.

Registered by the composition root in the node's registry; read at scrape time from
:meth:`MediaService.statistics` (in memory, no I/O).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from vclinic.media.service import MediaService


class MediaCollector(Collector):
    """Collects one MediaService's figures; owned by the node's metrics registry."""

    def __init__(self, media: MediaService) -> None:
        self._media = media

    def collect(self) -> Iterator[Any]:
        stats = self._media.statistics()
        yield GaugeMetricFamily("vclinic_media_rooms", "Media rooms open on this node",
                                value=stats.rooms)
        yield GaugeMetricFamily("vclinic_media_participants",
                                "Participants with a media connection on this node",
                                value=stats.participants)
        load = GaugeMetricFamily("vclinic_media_worker_load",
                                 "Rooms plus participants on each media worker", labels=["worker"])
        restarts = CounterMetricFamily("vclinic_media_worker_restarts",
                                       "Media worker processes restarted after dying",
                                       labels=["worker"])
        for index, (worker_load, worker_restarts) in enumerate(stats.workers):
            load.add_metric([str(index)], worker_load)
            restarts.add_metric([str(index)], worker_restarts)
        yield load
        yield restarts
        yield GaugeMetricFamily("vclinic_media_up",
                                "1 while the media plane serves, 0 after it gave up",
                                value=0 if stats.failed else 1)
