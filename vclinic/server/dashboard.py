"""The dashboard's and the admin pages' sections: ``GET /api/v1/dashboard``, owned by the web
UI's shells (``/dashboard`` and ``/admin``).

Each enabled plugin contributes :class:`~vclinic.plugins.DashboardSection`s for the signed-in
principal (``vclinic_dashboard_sections``); the shell imports each ``module_url`` and calls its
default export with the section's element. A section whose id is ``availability`` is the
provider's availability control and goes into the shell's top bar instead of the list. With
``?page=admin`` the answer is the admin pages' sections: the core ones (users, Account Services,
organisation, sessions in progress), then the plugins' (``page="admin"``), then the audit
trail; admins only.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from quart import Blueprint
from quart_schema import tag, validate_querystring

from vclinic.plugins import DashboardSection
from vclinic.server.security import ctx, current_principal, require

blueprint = Blueprint("dashboard", __name__, url_prefix="/api/v1")

#: The section id the shell places in its top bar as the availability control.
AVAILABILITY = "availability"

#: The admin pages' own sections, before any plugin's.
ADMIN_SECTIONS = (
    DashboardSection("users", "Users", "/static/js/admin/users.js", order=0, page="admin"),
    DashboardSection("services", "Account Services", "/static/js/admin/services.js", order=1,
                     page="admin"),
    DashboardSection("organisation", "Organisation settings",
                     "/static/js/admin/organisation.js", order=2, page="admin"),
    DashboardSection("sessions-in-progress", "Sessions in progress",
                     "/static/js/admin/sessions.js", order=3, page="admin"),
)
#: The audit trail comes last, after the plugins' sections.
ADMIN_LAST = (
    DashboardSection("activity", "Recent activity", "/static/js/admin/activity.js", order=1000,
                     page="admin"),
)


class PageQuery(BaseModel):
    page: Literal["dashboard", "admin"] = "dashboard"


@blueprint.get("/dashboard")
@tag(["dashboard"])
@validate_querystring(PageQuery)
@require()
async def sections(query_args: PageQuery) -> dict[str, Any]:
    """The sections the caller sees on ``page`` (``dashboard``, or ``admin`` for admins), in
    display order."""
    principal = current_principal()
    page = query_args.page
    found = [s for s in ctx().plugins.dashboard_sections(principal) if s.page == page]
    if page == "admin":
        if not principal.has_role("admin"):
            found = []
        else:
            found = [*ADMIN_SECTIONS, *sorted(found, key=lambda s: (s.order, s.id)),
                     *ADMIN_LAST]
    return {"sections": [
        {"id": s.id, "title": s.title, "module_url": s.module_url, "order": s.order}
        for s in found
    ]}
