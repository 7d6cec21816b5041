"""The dashboard's sections: ``GET /api/v1/dashboard``, owned by the web UI's dashboard shell.

Each enabled plugin contributes :class:`~vclinic.plugins.DashboardSection`s for the signed-in
principal (``vclinic_dashboard_sections``); the shell imports each ``module_url`` and calls its
default export with the section's element. A section whose id is ``availability`` is the
provider's availability control and goes into the shell's top bar instead of the list.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint
from quart_schema import tag

from vclinic.server.security import ctx, current_principal, require

blueprint = Blueprint("dashboard", __name__, url_prefix="/api/v1")

#: The section id the shell places in its top bar as the availability control.
AVAILABILITY = "availability"


@blueprint.get("/dashboard")
@tag(["dashboard"])
@require()
async def sections() -> dict[str, Any]:
    """The dashboard sections the caller sees, in display order."""
    found = ctx().plugins.dashboard_sections(current_principal())
    return {"sections": [
        {"id": s.id, "title": s.title, "module_url": s.module_url, "order": s.order}
        for s in found
    ]}
