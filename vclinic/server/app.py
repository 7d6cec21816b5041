"""The quart-trio application: routes, error mapping and OpenAPI, wired to one AppContext."""

from __future__ import annotations

import time
from typing import Any

from quart import Response, g, jsonify, request
from quart_schema import Info, QuartSchema, RequestSchemaValidationError
from quart_trio import QuartTrio
from werkzeug.exceptions import HTTPException

from vclinic import __version__
from vclinic.context import AppContext
from vclinic.errors import BadRequest, VclinicError
from vclinic.log import get_logger
from vclinic.media import signalling
from vclinic.server import (
    admin,
    api,
    auth,
    bell,
    dashboard,
    gateway,
    health,
    pages,
    password,
)
from vclinic.server.files import VclinicResponse
from vclinic.server.headers import security_headers
from vclinic.server.openapi import ErrorResponsesProvider
from vclinic.server.security import load_principal

log = get_logger("http")

#: Largest request body accepted, in bytes.
MAX_BODY = 1024 * 1024


def create_app(context: AppContext) -> QuartTrio:
    """Build the app for ``context``: core routes, then each enabled plugin's blueprints."""
    app = QuartTrio("vclinic", static_folder=None)
    app.response_class = VclinicResponse
    app.config["VCLINIC_CONTEXT"] = context
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.config["PROPAGATE_EXCEPTIONS"] = False
    QuartSchema(
        app,
        info=Info(title="vclinic API", version=__version__),
        # The reference pages are served from vendored assets by the pages blueprint.
        swagger_ui_path=None, redoc_ui_path=None, scalar_ui_path=None,
        openapi_provider_class=ErrorResponsesProvider,
        security_schemes={
            "cookie": {"type": "apiKey", "in_": "cookie", "name": "vclinic_session"},
            "bearer": {"type": "http", "scheme": "bearer"},
        },
    )
    app.before_request(_start_timer)
    app.before_request(load_principal)
    app.after_request(_count(context))
    app.after_request(security_headers(hsts=context.settings.secure_cookies))
    app.register_error_handler(VclinicError, _vclinic_error)
    app.register_error_handler(RequestSchemaValidationError, _validation_error)
    app.register_error_handler(HTTPException, _http_error)

    for blueprint in (health.blueprint, auth.blueprint, password.blueprint, api.blueprint,
                      admin.blueprint, bell.blueprint, dashboard.blueprint):
        app.register_blueprint(blueprint)
    for blueprint in context.plugins.blueprints():
        app.register_blueprint(blueprint)
    # Media signalling is core: registered like the built-ins and reserved from plugins.
    core_handlers = {**gateway.BUILTIN_HANDLERS, **signalling.HANDLERS}
    plugin_handlers = context.plugins.ws_handlers(reserved=core_handlers)
    app.register_blueprint(gateway.make_blueprint({**signalling.HANDLERS, **plugin_handlers}))
    app.register_blueprint(pages.make_blueprint(context.plugins.static_dirs()))
    return app


#: The methods counted by name on ``/metrics`` (RFC 9110's, without CONNECT and TRACE).
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


async def _start_timer() -> None:
    g.started = time.perf_counter()


def _count(context: AppContext) -> Any:
    async def count(response: Response) -> Response:
        metrics = context.metrics
        # Any token is a method to HTTP: others share one label, so that a client cannot grow
        # the metrics without bound by inventing methods.
        method = request.method if request.method in HTTP_METHODS else "other"
        metrics.http_requests.labels(method, str(response.status_code)).inc()
        started = g.get("started")
        if started is not None:
            # The route pattern (``/api/v1/sessions/<session_id>``), never the path: ids stay
            # out of the labels and their number stays bounded.
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            metrics.http_latency.labels(method, route).observe(
                time.perf_counter() - started)
        return response

    return count


def _error_response(err: VclinicError) -> Response:
    response = jsonify({"error": err.to_dict()})
    response.status_code = err.status
    if err.status == 429 and "retry_after" in err.details:
        response.headers["Retry-After"] = str(int(err.details["retry_after"]))
    return response


async def _vclinic_error(err: VclinicError) -> Response:
    if err.status >= 500:
        log.error("request_failed", code=err.code, path=request.path,
                  user_id=getattr(g.get("principal"), "user_id", None))
    return _error_response(err)


async def _validation_error(err: RequestSchemaValidationError) -> Response:
    fields = []
    validation = err.validation_error
    if hasattr(validation, "errors"):
        fields = [".".join(str(p) for p in e.get("loc", ())) for e in validation.errors()]
    message = "The request body is not valid"
    message += f": check {', '.join(fields)}." if fields else "."
    return _error_response(BadRequest(message, code="invalid_body"))


async def _http_error(err: HTTPException) -> Response:
    codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
             413: "payload_too_large", 415: "unsupported_media_type"}
    code = codes.get(err.code or 500, "http_error")
    response = jsonify({"error": {"code": code, "message": err.description or err.name}})
    response.status_code = err.code or 500
    # A 405 says which methods the path takes (RFC 9110), as werkzeug's own answer does.
    for name, value in err.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return response
