"""QueueState: the loop-free decisions of one organisation's on-demand queue; owned by its
QueueActor, which persists and publishes what these methods change.

Entries are kept in arrival order, which is the order of "longest wait first": a patient is in
the queue from the moment they enter the setup guide. Waits of claimed patients feed the waiting
room's estimate (the median of the most recent ones); with too few, there is no estimate.

Positions are kept incrementally: each entry gets an arrival number when it joins, and a sorted
list of the numbers still queued answers "how many arrived before me" in O(log n), so that
telling every waiting patient their place costs O(n log n), not O(n²).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import statistics
from collections import deque
from typing import Any

from sortedcontainers import SortedList

from vclinic.api import Conflict, Forbidden, Gone, NotFound

#: Waits remembered for the estimate, and how many are needed before one is given.
RECENT_WAITS = 50
MIN_WAITS_FOR_ESTIMATE = 3


@dataclasses.dataclass
class Entry:
    """One patient in the queue (mutable: only the QueueActor's state holds these)."""

    id: str
    name: str
    email: str
    created_at: dt.datetime
    status: str = "intake"
    answers: dict[str, Any] = dataclasses.field(default_factory=dict)
    completed_at: dt.datetime | None = None
    assigned_to: str | None = None
    connections: set[str] = dataclasses.field(default_factory=set)
    disconnected_at: dt.datetime | None = None
    #: Bumped each time a grace period starts or is cancelled, so old timers are ignored.
    epoch: int = 0

    def public(self, now: dt.datetime, position: int) -> dict[str, Any]:
        """The queue listing's row: wait time and case information (phone and state too)."""
        return {"id": self.id, "name": self.name, "email": self.email, "status": self.status,
                "position": position, "wait_seconds": round(self.waited(now), 1),
                "created_at": self.created_at.isoformat(),
                "intake_complete": self.completed_at is not None,
                "case": dict(self.answers), "phone": self.answers.get("phone"),
                "state": self.answers.get("state"), "assigned_to": self.assigned_to,
                "connected": bool(self.connections)}

    def waited(self, now: dt.datetime) -> float:
        return max(0.0, (now - self.created_at).total_seconds())

    def row(self) -> dict[str, Any]:
        """Its request row's columns that ``record.load`` reads back. The open connections are
        in the QueueActor's presence snapshot; ``epoch`` is not kept: after a restart the
        actor arms fresh timers, so the old ones must not match."""
        return {"id": self.id, "name": self.name, "email": self.email,
                "created_at": self.created_at, "status": self.status,
                "answers": dict(self.answers), "completed_at": self.completed_at,
                "assigned_to": self.assigned_to, "present": bool(self.connections),
                "disconnected_at": self.disconnected_at}


class QueueState:
    """The live queue of one organisation."""

    def __init__(self, entries: list[Entry], recent_waits: list[float]) -> None:
        self.entries: dict[str, Entry] = {}
        #: Arrival number of each queued entry, and those numbers in order.
        self._arrival: dict[str, int] = {}
        self._order: SortedList[int] = SortedList()
        self._arrivals = itertools.count()
        for entry in sorted(entries, key=lambda e: e.created_at):
            self.add(entry)
        self.recent_waits: deque[float] = deque(recent_waits[-RECENT_WAITS:],
                                                maxlen=RECENT_WAITS)

    def get(self, request_id: str) -> Entry:
        entry = self.entries.get(request_id)
        if entry is None:
            raise NotFound("This request is no longer in the queue.", code="request_not_found")
        return entry

    def add(self, entry: Entry) -> None:
        """Queue a new arrival last (an id already queued keeps its place)."""
        if entry.id not in self._arrival:
            arrival = next(self._arrivals)
            self._arrival[entry.id] = arrival
            self._order.add(arrival)
        self.entries[entry.id] = entry

    def position(self, request_id: str) -> int:
        """1 for the patient who has waited longest; O(log n)."""
        arrival = self._arrival.get(request_id)
        if arrival is None:
            raise NotFound("This request is no longer in the queue.", code="request_not_found")
        return self._order.bisect_left(arrival) + 1

    def page(self, now: dt.datetime, offset: int, limit: int) -> list[dict[str, Any]]:
        rows = itertools.islice(self.entries.values(), offset, offset + limit)
        return [e.public(now, offset + i) for i, e in enumerate(rows, start=1)]

    def estimate(self) -> dict[str, Any]:
        """The median recent wait, or None while there is too little history to be honest."""
        count = len(self.recent_waits)
        if count < MIN_WAITS_FOR_ESTIMATE:
            return {"typical_wait_seconds": None, "based_on": count}
        return {"typical_wait_seconds": round(statistics.median(self.recent_waits), 1),
                "based_on": count}

    def check_claim(self, request_id: str, user_id: str, is_admin: bool) -> Entry:
        """The entry ``user_id`` may claim now; Conflict when someone else was first."""
        entry = self.entries.get(request_id)
        if entry is None:
            raise Conflict("Someone else claimed this request, or the patient left.",
                           code="already_claimed")
        if entry.assigned_to not in (None, user_id) and not is_admin:
            raise Forbidden("An admin assigned this request to another provider.",
                            code="assigned_to_other")
        return entry

    def remove(self, request_id: str, now: dt.datetime, claimed: bool) -> Entry:
        entry = self.entries.pop(request_id)
        self._order.remove(self._arrival.pop(request_id))
        if claimed:
            self.recent_waits.append(entry.waited(now))
        return entry

    def answer(self, request_id: str, answers: dict[str, Any]) -> Entry:
        """Merge intake answers (already checked against the organisation's fields)."""
        entry = self.get(request_id)
        entry.answers = {**entry.answers, **answers}
        return entry

    def assign(self, request_id: str, provider_id: str) -> Entry:
        """An admin assigned the request to an On-Call provider (the caller checked that)."""
        entry = self.get(request_id)
        entry.assigned_to = provider_id
        return entry

    def complete(self, request_id: str, now: dt.datetime) -> Entry:
        entry = self.get(request_id)
        if entry.status != "intake":
            raise Gone("The setup guide is already complete.", code="intake_complete")
        entry.status = "waiting"
        entry.completed_at = now
        return entry

    def connect(self, request_id: str, connection_id: str) -> Entry:
        entry = self.get(request_id)
        if entry.disconnected_at is not None:
            entry.epoch += 1  # the running grace period no longer applies
        entry.disconnected_at = None
        entry.connections.add(connection_id)
        return entry

    def disconnect(self, request_id: str, connection_id: str, now: dt.datetime
                   ) -> Entry | None:
        """The entry whose grace period starts now, or None (another tab is still open)."""
        entry = self.entries.get(request_id)
        if entry is None or connection_id not in entry.connections:
            return None
        entry.connections.discard(connection_id)
        if entry.connections:
            return None
        entry.disconnected_at = now
        entry.epoch += 1
        return entry

    def expired(self, request_id: str, epoch: int) -> bool:
        entry = self.entries.get(request_id)
        return (entry is not None and entry.epoch == epoch and not entry.connections
                and entry.disconnected_at is not None)

    def waiting_count(self) -> int:
        return len(self.entries)
