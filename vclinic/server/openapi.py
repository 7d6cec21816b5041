"""The OpenAPI document's error responses: every operation declares the errors it can answer.

Owned by the app: :func:`vclinic.server.app.create_app` gives quart-schema
:class:`ErrorResponsesProvider`, which adds to each operation, besides a ``2XX`` success, the
error statuses that apply to it, each with the one error body every route shares
(``{"error": {"code", "message", "details"?}}``, ``docs/api.md``):

- 400 when the operation takes input (a body, a query string, a path parameter) or changes
  something; 413 with a body;
- 401 when it needs a signed-in principal (wrapped by ``require`` or reading the principal), and
  403 then and for every write (Origin and CSRF checks, role guards);
- 404 when the path names something; 409 for writes; 429 where sign-in limits apply;
- 405 with ``Allow``, and 503 (``database_unavailable``, ``media_down``) everywhere.

The rules read what the route is (its method, its path, its validators and guards, the error
classes its source names), so a plugin's routes are covered like the core's.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from quart_schema import OpenAPIProvider
from werkzeug.routing import Rule

#: Name of the shared error body schema in ``components.schemas``.
ERROR_SCHEMA = "Error"

ERROR_BODY = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable code to branch on"},
                "message": {"type": "string", "description": "What to tell a person"},
                "details": {"type": "object", "description": "Fields at fault, limits"},
            },
        },
    },
}

DESCRIPTIONS = {
    "400": "The request is not valid (`invalid_body` names the fields) or breaks a rule",
    "401": "Sign in (or send a bearer token) to continue",
    "403": "Not allowed: role, organisation, Origin or CSRF token",
    "404": "There is no such thing (or it is not yours to see)",
    "405": "The path does not take this method; `Allow` lists those it takes",
    "409": "The change conflicts with the current state",
    "410": "It existed but has ended (a closed session, a used link)",
    "413": "The request body is over 1 MiB",
    "429": "Too many attempts; `Retry-After` says when to try again",
    "503": "The database or the media plane is unavailable (`database_unavailable`, "
           "`media_down`); try again shortly",
}

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Error classes named in a route's source and the status each stands for.
_RAISES = {"BadRequest": "400", "NotFound": "404", "Conflict": "409", "Gone": "410",
           "RateLimited": "429", "limiter": "429", "Forbidden": "403",
           "Unauthorized": "401", "Unavailable": "503"}
_SIGNED_IN = re.compile(r"\bcurrent_principal\(|\brequire\(")


def _source(func: Any) -> str:
    """The source of a route and of the functions of its own module that it calls, directly
    or through each other (the helpers that raise its errors)."""
    root = inspect.unwrap(func)
    module = getattr(root, "__module__", None)
    seen: set[Any] = set()
    pending = [root]
    parts = []
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            parts.append(inspect.getsource(current))
        except (OSError, TypeError):
            continue
        code = getattr(current, "__code__", None)
        names = _names(code) if code is not None else set()
        for name in names:
            called = current.__globals__.get(name)
            if inspect.isfunction(called) and called.__module__ == module:
                pending.append(called)
            elif inspect.ismodule(called) and _package(called.__name__) == _package(module):
                # ``record.event_type(...)``: a helper of a sibling module of the same package.
                pending.extend(f for attr in names
                               if inspect.isfunction(f := getattr(called, attr, None))
                               and f.__module__ == called.__name__)
    return "\n".join(parts)


def _names(code: Any) -> set[str]:
    """The global and attribute names a function's code uses, nested functions included."""
    found = set(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):
            found |= _names(const)
    return found


def _package(module: str | None) -> str:
    return (module or "").split(".")[0]


def error_statuses(method: str, rule: Rule, func: Any, operation: dict[str, Any]) -> set[str]:
    """The error statuses an operation can answer, by the rules in the module docstring."""
    source = _source(func)
    has_body = "requestBody" in operation
    takes_input = has_body or bool(operation.get("parameters"))
    statuses = {"405", "503"}
    if takes_input or method in WRITES:
        statuses.add("400")
    if has_body:
        statuses.add("413")
    if hasattr(func, "__vclinic_roles__") or _SIGNED_IN.search(source):
        statuses |= {"401", "403"}
    if method in WRITES:
        statuses |= {"403", "409"}
    if rule.arguments:
        statuses.add("404")
    statuses |= {status for name, status in _RAISES.items() if name in source}
    return statuses


def error_response(status: str) -> dict[str, Any]:
    """The response object of one error status."""
    response: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}},
    }
    if status == "405":
        response["headers"] = {"Allow": {"schema": {"type": "string"},
                                         "description": "The methods this path takes"}}
    if status == "429":
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                               "description": "Seconds to wait"}}
    return response


class ErrorResponsesProvider(OpenAPIProvider):
    """quart-schema's provider, adding each operation's error responses and the error schema."""

    def schema(self) -> dict[str, Any]:
        document = super().schema()
        document["components"]["schemas"][ERROR_SCHEMA] = ERROR_BODY
        return document

    def build_paths(self, rule: Rule) -> tuple[dict, dict]:
        paths, components = super().build_paths(rule)
        func = self._app.view_functions[rule.endpoint]
        for operations in paths.values():
            for method, operation in operations.items():
                # Status codes as strings, as OpenAPI has them (quart-schema gives documented
                # responses int keys, which would not sort beside the error statuses).
                responses = {str(k): v for k, v in (operation.get("responses") or {}).items()}
                if not any(code.startswith("2") for code in map(str, responses)):
                    responses["2XX"] = {"description": "Success"}
                for status in sorted(error_statuses(method.upper(), rule, func, operation)):
                    responses.setdefault(status, error_response(status))
                operation["responses"] = responses
        return paths, components
