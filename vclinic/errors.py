"""The one error hierarchy of vclinic; the web layer maps each to a status code and a JSON body.

Messages are written for the person who will read them and never carry patient data: name what
was wrong with the request, not what the request contained.
"""

from __future__ import annotations

from typing import Any, ClassVar


class VclinicError(Exception):
    """Base of every error that a user or an integrator may be shown."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The ``{"code", "message"}`` body used on HTTP and on ``/ws``."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(VclinicError):
    status = 400
    code = "bad_request"


class Unauthorized(VclinicError):
    status = 401
    code = "unauthorized"


class Forbidden(VclinicError):
    status = 403
    code = "forbidden"


class NotFound(VclinicError):
    status = 404
    code = "not_found"


class Conflict(VclinicError):
    status = 409
    code = "conflict"


class Gone(VclinicError):
    status = 410
    code = "gone"


class PayloadTooLarge(VclinicError):
    status = 413
    code = "payload_too_large"


class RateLimited(VclinicError):
    status = 429
    code = "rate_limited"


class Unavailable(VclinicError):
    status = 503
    code = "unavailable"


class DatabaseUnavailable(Unavailable):
    """The database does not answer (down, unreachable, locked or unreadable); retry later."""

    code = "database_unavailable"


class ConfigError(VclinicError):
    """A setting is missing or malformed; raised at start-up, before anything is served."""

    code = "config_error"


class PluginError(VclinicError):
    """A plugin could not be loaded, or was written for an incompatible plugin API."""

    code = "plugin_error"


class MigrationError(VclinicError):
    """A schema migration failed; it was rolled back and the server does not start."""

    code = "migration_failed"


class AddressInUse(VclinicError):
    """The server cannot listen on its configured address (taken, or not permitted)."""

    code = "address_in_use"


#: The error class a status stands for, when an error crosses a process boundary as
#: ``(code, message, status)`` (media workers, and later other nodes).
BY_STATUS: dict[int, type[VclinicError]] = {
    cls.status: cls
    for cls in (BadRequest, Unauthorized, Forbidden, NotFound, Conflict, Gone, PayloadTooLarge,
                RateLimited, Unavailable)
}


def error_from_wire(code: str, message: str, status: int) -> VclinicError:
    """Rebuild an error received as ``(code, message, status)``."""
    return BY_STATUS.get(status, VclinicError)(message, code=code)
