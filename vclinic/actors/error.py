"""Errors raised by the actor runtime, placed in the one vclinic.errors hierarchy.

Each is a VclinicError subclass (so the web layer maps it to a status) except
SupervisorEscalation, which is a crash travelling up the supervision tree, not a user error.
Messages name addresses and transaction ids only, never message contents.
"""

from __future__ import annotations

from vclinic.errors import NotFound, Unavailable, VclinicError


class MailboxFull(Unavailable):
    """``send_nowait`` found the actor's bounded mailbox full; retry later or use ``send``."""

    code = "mailbox_full"


class ActorStopped(Unavailable):
    """The actor stopped (or the runtime shut down) before it handled the message."""

    code = "actor_stopped"


class ActorCrashed(VclinicError):
    """The actor crashed handling this call; its supervisor restarts it from its saved state."""

    code = "actor_crashed"


class UnknownActorKind(NotFound):
    """No factory is registered for the kind of an address."""

    code = "unknown_actor_kind"


class SupervisorEscalation(Exception):
    """A supervisor exceeded its restart intensity and gave up; its parent decides what next.

    Raised out of ``Supervisor.run``; the original crash is its ``__cause__``.
    """

    def __init__(self, supervisor: str, child: str, intensity: int, period: float) -> None:
        super().__init__(
            f"supervisor {supervisor!r}: more than {intensity} restarts in {period:g} s "
            f"(last: child {child!r}); escalating"
        )
        self.supervisor = supervisor
        self.child = child


def describe(error: BaseException | None) -> str | None:
    """An error's type and where it was raised, for logs; its message may hold data, so not it."""
    if error is None:
        return None
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return type(error).__name__
    filename = tb.tb_frame.f_code.co_filename.rsplit("/", 1)[-1]
    return f"{type(error).__name__} at {filename}:{tb.tb_lineno}"
