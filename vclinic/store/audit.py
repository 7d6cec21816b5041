"""The audit trail: one row per action, naming ids only, hash-chained per organisation.

Each organisation's events form a chain (events without an organisation form their own, chain
``""``): an event stores its number in the chain (``seq``, from 1), the previous event's hash and
its own, SHA-256 over the previous hash and a canonical JSON encoding of the event. The chain's
head (last number and hash) is kept in ``audit_chain_heads``; appending locks that row inside the
transaction (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions already exclude other
writers), so concurrent writers queue instead of forking the chain, and a unique
``(chain, seq)`` index refuses a fork outright. :func:`verify` finds the first row that was
edited, deleted or inserted out of place.

Call :func:`record` inside the same ``store.atomic`` function as the change it describes, so the
change and its audit row commit or roll back together.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

import peewee

from vclinic.store.model import AuditEvent, AuditHead, User

_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

#: Version of the canonical encoding; part of every hash, so a future format cannot collide.
FORMAT = "vclinic-audit-1"


def canonical(event: AuditEvent) -> bytes:
    """The bytes an event's hash covers: every column but the hashes, in a fixed JSON form."""
    created = event.created_at
    return json.dumps(
        {
            "format": FORMAT,
            "id": event.id,
            "chain": event.chain,
            "seq": event.seq,
            "organisation_id": event.organisation_id,
            "actor_id": event.actor_id,
            "action": event.action,
            "target_ids": list(event.target_ids),
            "created_at": created.isoformat(timespec="microseconds"),
        },
        sort_keys=True, separators=(",", ":"), ensure_ascii=True,
    ).encode()


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    """The hash of ``event`` following an event whose hash is ``prev_hash``."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(event)).hexdigest()


def _locked_head(chain: str) -> AuditHead:
    db = AuditHead._meta.database
    AuditHead.insert(chain=chain, seq=0, hash="").on_conflict_ignore().execute()
    query = AuditHead.select().where(AuditHead.chain == chain)
    if isinstance(db.obj if isinstance(db, peewee.DatabaseProxy) else db,
                  peewee.PostgresqlDatabase):
        query = query.for_update()
    head: AuditHead = query.get()
    return head


def record(
    org_id: str | None, actor_id: str | None, action: str, *target_ids: str
) -> AuditEvent:
    """Append an audit event (synchronous: run it through ``Store.run`` or ``Store.atomic``).

    ``action`` is a dotted verb like ``"user.created"``; free text is refused because it could
    carry patient data. Runs in its own transaction, or a savepoint of the caller's.
    """
    if not _ACTION.match(action) or len(action) > 64:
        raise ValueError("audit action must look like 'thing.done'")
    if not all(isinstance(target, str) for target in target_ids):
        raise ValueError("audit targets are ids (strings)")
    chain = org_id or ""
    with AuditEvent._meta.database.atomic():
        head = _locked_head(chain)
        event = AuditEvent(organisation=org_id, actor_id=actor_id, action=action,
                           target_ids=list(target_ids), chain=chain, seq=head.seq + 1,
                           prev_hash=head.hash)
        event.hash = chain_hash(head.hash, event)
        event.save(force_insert=True)
        AuditHead.update(seq=event.seq, hash=event.hash).where(
            AuditHead.chain == chain).execute()
    return event


def record_about_user(user_id: str, actor_id: str | None, action: str) -> AuditEvent | None:
    """Append ``action`` about the account ``user_id`` to its organisation's chain (for events
    such as a failed sign-in, where the caller knows the account but not its organisation);
    nothing if the account does not exist."""
    user: User | None = User.get_or_none(User.id == user_id)
    if user is None:
        return None
    return record(user.organisation_id, actor_id, action, user.id)


@dataclasses.dataclass(frozen=True)
class Break:
    """Where a chain stops being intact: the first bad row (or the head) and what is wrong."""

    chain: str
    row_id: str | None
    seq: int
    problem: str

    def describe(self) -> str:
        where = f"organisation {self.chain}" if self.chain else "events without an organisation"
        row = f"audit row {self.row_id}" if self.row_id else "the chain head"
        return f"{row} (#{self.seq} of {where}): {self.problem}"


@dataclasses.dataclass(frozen=True)
class Report:
    """What :func:`verify` found: events and chains checked, and the first break if any."""

    events: int
    chains: int
    broken: Break | None
    #: Each intact chain's newest row: chain -> (seq, hash), to keep outside the database.
    heads: dict[str, tuple[int, str]] = dataclasses.field(default_factory=dict)


def _chain_break(chain: str, rows: Iterator[AuditEvent], head: AuditHead | None) -> Break | None:
    prev_hash = ""
    expected = 1
    for event in rows:
        if event.seq != expected:
            problem = (f"rows #{expected} to #{event.seq - 1} are missing (deleted)"
                       if event.seq > expected else "a row is repeated or out of place")
            return Break(chain, event.id, event.seq, problem)
        if event.prev_hash != prev_hash:
            return Break(chain, event.id, event.seq, "it does not follow the row before it")
        if chain_hash(prev_hash, event) != event.hash:
            return Break(chain, event.id, event.seq, "its content was edited after it was "
                         "written")
        prev_hash = event.hash
        expected += 1
    last = expected - 1
    if head is None:
        if last:
            return Break(chain, None, last, "the chain head is missing")
        return None
    if head.seq != last or head.hash != prev_hash:
        problem = (f"rows #{last + 1} to #{head.seq} are missing (deleted)" if head.seq > last
                   else "it does not match the last row")
        return Break(chain, None, head.seq, problem)
    return None


def verify(org_id: str | None = None) -> Report:
    """Check every chain (or only ``org_id``'s); synchronous, run it through ``Store.run``."""
    heads = {head.chain: head for head in AuditHead.select()}
    chains = {row.chain for row in AuditEvent.select(AuditEvent.chain).distinct()}
    chains |= set(heads)
    if org_id is not None:
        chains &= {org_id}
    events = 0
    newest: dict[str, tuple[int, str]] = {}
    for chain in sorted(chains):
        rows = list(AuditEvent.select().where(AuditEvent.chain == chain)
                    .order_by(AuditEvent.seq))
        events += len(rows)
        broken = _chain_break(chain, iter(rows), heads.get(chain))
        if broken is not None:
            return Report(events, len(chains), broken)
        if rows:
            newest[chain] = (rows[-1].seq, rows[-1].hash)
    return Report(events, len(chains), None, newest)


def check_anchors(anchors: dict[str, tuple[int, str]]) -> Break | None:
    """The first anchored row (chain -> (seq, hash), from an earlier :func:`verify` kept
    outside the database) that is no longer in its chain as it was: whoever can write the
    database can delete a chain's newest rows and rewrite its head, which the chain alone
    cannot show. Synchronous, run it through ``Store.run``."""
    for chain, (seq, hash_) in sorted(anchors.items()):
        row = AuditEvent.get_or_none(AuditEvent.chain == chain, AuditEvent.seq == seq)
        if row is None or row.hash != hash_:
            return Break(chain, None, seq, "rows recorded by an earlier verify (--anchors) were "
                         "deleted or rewritten")
    return None


def events_of(target_id: str) -> list[AuditEvent]:
    """Every event naming ``target_id`` (a session, a patient...), oldest first."""
    # target_ids is JSON text: narrow with (I)LIKE on the quoted id, then check exactly. The
    # pattern is passed as is (converter=str): the field would otherwise JSON-encode it.
    pattern = peewee.Value(f'%"{target_id}"%', converter=str)
    candidates = AuditEvent.select().where(
        peewee.Expression(AuditEvent.target_ids, peewee.OP.ILIKE, pattern))
    found = [event for event in candidates if target_id in event.target_ids]
    return sorted(found, key=lambda event: (event.created_at, event.chain, event.seq))


def as_dict(event: AuditEvent) -> dict[str, Any]:
    """An event as the admin API and exports show it (ids only)."""
    return {"id": event.id, "organisation_id": event.organisation_id,
            "actor_id": event.actor_id, "action": event.action,
            "target_ids": list(event.target_ids), "created_at": event.created_at.isoformat(),
            "seq": event.seq, "hash": event.hash}
