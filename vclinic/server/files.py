"""File responses that never leak an open file: quart-trio's ``TrioFileBody`` with a safe start.

Owned by the app (``create_app`` sets :class:`VclinicResponse` as its response class).
quart-trio 0.12 opens the file in ``__aenter__`` and then seeks; a client that goes away during
the seek cancels ``__aenter__`` after the open, so ``__aexit__`` never runs and the file is left
for the garbage collector (a ``ResourceWarning``, and a descriptor held until then). Here the
file is closed when anything after the open fails.
"""

from __future__ import annotations

from quart_trio.wrappers.response import TrioFileBody, TrioResponse


class SafeFileBody(TrioFileBody):
    async def __aenter__(self) -> SafeFileBody:
        try:
            await super().__aenter__()
        except BaseException:
            if self.file is not None:
                await self.file.aclose()
                self.file = None
            raise
        return self


class VclinicResponse(TrioResponse):
    file_body_class = SafeFileBody  # type: ignore[assignment]
