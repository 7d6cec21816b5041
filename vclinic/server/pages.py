"""The bundled web UI: HTML pages and static assets from ``web/``, and plugins' static folders.

``web/`` is package data of ``vclinic`` (``vclinic/web`` links to it in the source tree), found
through :mod:`importlib.resources`, so an installed wheel serves the same pages as a checkout.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from quart import Blueprint, Response, redirect, send_from_directory
from quart_schema import hide

from vclinic.errors import NotFound


def _web_root() -> Path:
    root = resources.files("vclinic") / "web"
    # Quart serves files from a directory on disk; vclinic is installed as files (a wheel
    # unpacked by pip, or an editable checkout), never imported from a zip.
    if not isinstance(root, Path) or not root.is_dir():
        raise RuntimeError(f"vclinic's web UI is missing from its installation ({root})")
    return root


WEB_ROOT = _web_root()

#: Clean page URLs and the HTML file behind each.
PAGES = {
    "signin": "signin.html",
    "dashboard": "dashboard.html",
    "preview": "preview.html",
    "call": "call.html",
    "join": "join.html",
    "left": "left.html",
    "admin": "admin.html",
    "reset": "reset.html",
}

#: The API reference pages (``web/apidocs/``), each a vendored renderer of ``/openapi.json``.
API_DOCS = {"/docs": "swagger.html", "/redocs": "redoc.html", "/scalar": "scalar.html"}


def make_blueprint(static_dirs: Mapping[str, str | Path] | None = None) -> Blueprint:
    """The pages blueprint; ``static_dirs`` maps a plugin's URL prefix (``/static/visits``) to
    its asset folder."""
    blueprint = Blueprint("pages", __name__)

    @blueprint.get("/")
    @hide
    async def index() -> Response:
        return redirect("/dashboard")  # type: ignore[return-value]

    @blueprint.get("/favicon.ico")
    @hide
    async def favicon() -> Response:
        # Browsers ask for /favicon.ico on every page whatever the pages link; answer with
        # the same SVG icon the pages link (browsers go by the content type, not the name).
        response = await send_from_directory(WEB_ROOT / "static", "favicon.svg",
                                             mimetype="image/svg+xml")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    for path, filename in API_DOCS.items():
        _add_doc_page(blueprint, path, filename)

    @blueprint.get("/<page>")
    @hide
    async def page(page: str) -> Response:
        if page not in PAGES:
            raise NotFound("There is no such page.")
        return await send_from_directory(WEB_ROOT, PAGES[page])

    @blueprint.get("/static/<path:path>")
    @hide
    async def static(path: str) -> Response:
        return await send_from_directory(WEB_ROOT / "static", path)

    for prefix, folder in (static_dirs or {}).items():
        _add_static(blueprint, prefix, folder)
    return blueprint


def _add_doc_page(blueprint: Blueprint, path: str, filename: str) -> None:
    async def serve() -> Response:
        return await send_from_directory(WEB_ROOT / "apidocs", filename)

    blueprint.add_url_rule(path, "api_docs_" + path.strip("/"), hide(serve), methods=["GET"])


def _add_static(blueprint: Blueprint, prefix: str, folder: str | Path) -> None:
    prefix = "/" + prefix.strip("/")

    async def serve(path: str) -> Response:
        return await send_from_directory(folder, path)

    endpoint = "static_" + prefix.strip("/").replace("/", "_")
    blueprint.add_url_rule(f"{prefix}/<path:path>", endpoint, hide(serve), methods=["GET"])
