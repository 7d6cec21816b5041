"""Actor addresses: the ``kind:id`` name under which the registry finds or activates an actor.

An address is plain data (two strings), so it can be logged, stored and sent to another node.
"""

from __future__ import annotations

from dataclasses import dataclass

from vclinic.errors import BadRequest


@dataclass(frozen=True, slots=True)
class Address:
    """The name of one actor, e.g. ``session:7f3a`` or ``queue:org1/urgent``; owned by nobody.

    ``kind`` selects the factory registered with the registry; ``id`` tells actors of one kind
    apart. ``kind`` may not contain ``:``; ``id`` may (the first ``:`` separates the two).
    """

    kind: str
    id: str

    def __post_init__(self) -> None:
        if not self.kind or ":" in self.kind or not self.id:
            raise BadRequest("Not a valid actor address: expected 'kind:id'.",
                             code="bad_actor_address")

    @classmethod
    def parse(cls, text: str) -> Address:
        """The address written as ``kind:id``; raises BadRequest when it is not one."""
        kind, sep, ident = text.partition(":")
        if not sep:
            raise BadRequest("Not a valid actor address: expected 'kind:id'.",
                             code="bad_actor_address")
        return cls(kind, ident)

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"
