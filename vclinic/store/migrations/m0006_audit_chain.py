"""Migration core:0006: the audit trail becomes a hash chain per organisation.

Adds each event's chain (its organisation, "" for none), number, previous hash and hash, the
``audit_chain_heads`` table, and a unique ``(chain, seq)`` index; events written before are
chained in the order they were written.
"""

from __future__ import annotations

import types

import peewee

from vclinic.store.field import JSONTextField, UTCDateTimeField
from vclinic.store.migration import Migration

_COLUMNS = (
    "chain VARCHAR(32) NOT NULL DEFAULT ''",
    "seq INTEGER NOT NULL DEFAULT 0",
    "prev_hash VARCHAR(64) NOT NULL DEFAULT ''",
    "hash VARCHAR(64) NOT NULL DEFAULT ''",
)


class _Base(peewee.Model):
    class Meta:
        legacy_table_names = False


class _Event(_Base):
    id = peewee.CharField(max_length=32, primary_key=True)
    organisation_id = peewee.CharField(max_length=32, null=True)
    actor_id = peewee.CharField(max_length=32, null=True)
    action = peewee.CharField(max_length=64)
    target_ids = JSONTextField()
    created_at = UTCDateTimeField()
    chain = peewee.CharField(max_length=32)
    seq = peewee.IntegerField()
    prev_hash = peewee.CharField(max_length=64)
    hash = peewee.CharField(max_length=64)

    class Meta:
        table_name = "audit_events"


class AuditHead(_Base):
    chain = peewee.CharField(max_length=32, primary_key=True)
    seq = peewee.IntegerField()
    hash = peewee.CharField(max_length=64)

    class Meta:
        table_name = "audit_chain_heads"


def apply(db: peewee.Database) -> None:
    # The hashing is the trail's format version 1 (vclinic.store.audit.FORMAT), not a schema.
    from vclinic.store.audit import chain_hash

    for column in _COLUMNS:
        db.execute_sql(f"ALTER TABLE audit_events ADD COLUMN {column}")
    with db.bind_ctx([_Event, AuditHead]):
        db.create_tables([AuditHead], safe=False)
        heads: dict[str, tuple[int, str]] = {}
        for row in _Event.select().order_by(_Event.created_at, _Event.id):
            chain = row.organisation_id or ""
            seq, prev = heads.get(chain, (0, ""))
            event = types.SimpleNamespace(
                id=row.id, chain=chain, seq=seq + 1, organisation_id=row.organisation_id,
                actor_id=row.actor_id, action=row.action, target_ids=row.target_ids,
                created_at=row.created_at)
            digest = chain_hash(prev, event)  # type: ignore[arg-type]
            _Event.update(chain=chain, seq=seq + 1, prev_hash=prev, hash=digest).where(
                _Event.id == row.id).execute()
            heads[chain] = (seq + 1, digest)
        for chain, (seq, digest) in heads.items():
            AuditHead.create(chain=chain, seq=seq, hash=digest)
    db.execute_sql("CREATE UNIQUE INDEX audit_events_chain_seq ON audit_events (chain, seq)")


MIGRATION = Migration("core:0006", apply, "audit trail hash chain")
