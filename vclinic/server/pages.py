"""The bundled web UI: HTML pages and static assets from ``web/``, and plugins' static folders."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from quart import Blueprint, Response, redirect, send_from_directory
from quart_schema import hide

from vclinic.errors import NotFound

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"

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


def _add_static(blueprint: Blueprint, prefix: str, folder: str | Path) -> None:
    prefix = "/" + prefix.strip("/")

    async def serve(path: str) -> Response:
        return await send_from_directory(folder, path)

    endpoint = "static_" + prefix.strip("/").replace("/", "_")
    blueprint.add_url_rule(f"{prefix}/<path:path>", endpoint, hide(serve), methods=["GET"])
