"""Setting a new password from an emailed reset link: ``POST /api/v1/auth/password-reset``,
used by the ``/reset`` page (no sign-in; the link's token is the credential)."""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel, Field
from quart import Blueprint, Response, make_response
from quart_schema import tag, validate_request

from vclinic.accounts import reset
from vclinic.server.security import ctx
from vclinic.sessions.link import link_key

blueprint = Blueprint("password", __name__, url_prefix="/api/v1")


class ResetBody(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


@blueprint.post("/auth/password-reset")
@tag(["auth"])
@validate_request(ResetBody)
async def password_reset(data: ResetBody) -> Response:
    """Set a new password with the token of a reset link an admin sent; every session of the
    account ends. 204; 400 ``invalid_reset_link`` for a used, expired or unknown link."""
    app = ctx()
    await reset.redeem(app.store, link_key(app.settings.data_dir), data.token, data.password)
    return cast(Response, await make_response("", 204))
