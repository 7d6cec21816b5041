"""The notification bell's API: ``/api/v1/notifications``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from quart import Blueprint
from quart_schema import tag, validate_request

from vclinic import notifications
from vclinic.server.security import ctx, current_principal, require

blueprint = Blueprint("bell", __name__, url_prefix="/api/v1")


class ReadBody(BaseModel):
    #: The notifications to mark read; omit to mark every one read.
    ids: list[str] | None = None


@blueprint.get("/notifications")
@tag(["notifications"])
@require()
async def list_notifications() -> dict[str, Any]:
    """The caller's newest notifications (newest first) and the unread count."""
    return await notifications.listing(ctx().store, current_principal().user_id)


@blueprint.post("/notifications/read")
@tag(["notifications"])
@require()
@validate_request(ReadBody)
async def mark_read(data: ReadBody) -> dict[str, Any]:
    """Mark notifications read; answers with the new unread count."""
    app, principal = ctx(), current_principal()
    changed = await notifications.mark_read(app.store, app.runtime.bus, principal.user_id,
                                            data.ids)
    state = await notifications.listing(app.store, principal.user_id, 0)
    return {"marked": changed, "unread": state["unread"]}
