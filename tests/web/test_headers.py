"""Security headers on every page and API response of a real node: CSP, framing, sniffing,
referrer, caching, and HSTS when the deployment runs behind TLS."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import trio

from tests.fakes import ADMIN, Client, base_url, start_node
from vclinic.server.pages import PAGES, WEB_ROOT

PLUGIN_ROOT = Path(__file__).resolve().parents[2] / "plugins"


def _directives(csp: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
            for part in csp.split(";") if part.strip()}


def assert_secured(response: httpx.Response, *, cacheable: bool = False) -> None:
    where = f"{response.request.method} {response.request.url.path}"
    csp = _directives(response.headers.get("content-security-policy", ""))
    assert csp.get("frame-ancestors") == "'none'", where
    assert csp.get("script-src") == "'self'", where
    assert csp.get("default-src") == "'self'", where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") == "no-referrer", where
    cache = response.headers.get("cache-control", "")
    if cacheable:
        assert "no-store" not in cache, where
    else:
        assert "no-store" in cache and "public" not in cache, where


async def test_every_page_and_api_response_carries_the_security_headers(client: Client) -> None:
    for path in ["/", *(f"/{page}" for page in PAGES), "/docs", "/redocs", "/scalar",
                 "/openapi.json", "/healthz", "/readyz", "/metrics", "/no-such-page",
                 "/api/v1/me", "/static/sessions/join.html", "/o/demo-clinic/calendar"]:
        assert_secured(await client.request("GET", path))
    # WebSocket connections to this server only (named for browsers of CSP level 2).
    page = await client.request("GET", "/call")
    ws_origin = client.base.replace("http://", "ws://")
    assert _directives(page.headers["content-security-policy"])["connect-src"] == \
        f"'self' {ws_origin}"
    # The page a browser gets for a join link that does not work.
    refused = await client.request("GET", "/join/not-a-real-token",
                                   headers={"Accept": "text/html"})
    assert refused.headers["content-type"].startswith("text/html")
    assert_secured(refused)
    # A refused write, an error from before the handler runs.
    assert_secured(await client.request("POST", "/api/v1/users", json={}))

    assert (await client.signin(ADMIN)).status_code == 200
    spec = (await client.request("GET", "/openapi.json")).json()
    gets = [path for path, item in spec["paths"].items() if "get" in item and "{" not in path]
    assert len(gets) >= 5
    for path in gets:
        assert_secured(await client.request("GET", path))


async def test_static_assets_stay_cacheable(client: Client) -> None:
    for path in ("/static/js/signin.js", "/static/css/app.css", "/favicon.ico"):
        response = await client.request("GET", path)
        assert response.status_code == 200
        assert_secured(response, cacheable=True)
    missing = await client.request("GET", "/static/js/no-such-script.js")
    assert missing.status_code == 404
    assert_secured(missing)


async def test_hsts_only_when_served_over_https(nursery: trio.Nursery, tmp_path: Path,
                                                client: Client) -> None:
    assert "strict-transport-security" not in (await client.request("GET", "/signin")).headers
    secure = await start_node(nursery, tmp_path / "secure", secure_cookies=True)
    async with httpx.AsyncClient(base_url=base_url(secure)) as http:
        hsts = (await http.get("/signin")).headers["strict-transport-security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31536000


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def test_no_page_has_inline_script_handlers_or_styles() -> None:
    pages = [*WEB_ROOT.rglob("*.html"), *PLUGIN_ROOT.glob("*/vclinic_*/static/**/*.html")]
    assert len(pages) >= len(PAGES)
    for page in pages:
        text = page.read_text()
        assert not INLINE_SCRIPT.search(text), page
        assert not INLINE_HANDLER.search(text), page
        assert not INLINE_STYLE.search(text), page
