"""Security headers on every HTTP response: Content-Security-Policy, framing, sniffing, referrer,
HSTS and caching. Owned by the app: :func:`create_app` installs :func:`security_headers` as the
last ``after_request`` hook, so plugin routes get the same headers as the core's.

The policy allows scripts, styles, images and connections from the page's own origin only: no
inline script, no inline event handler, no inline ``style=`` attribute (scripts may still set
``element.style``, which CSP does not restrict). The API reference pages (``/docs``, ``/redocs``,
``/scalar``) run vendored renderers that insert ``<style>`` elements, so their policy also allows
inline styles; their scripts still come from this origin only.

Anything that is not a static asset is sent with ``Cache-Control: no-store``: pages, all JSON
(patient names travel in it), errors, metrics. Static assets keep their cache lifetime.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from quart import Response, request

#: URL prefixes of cacheable static assets (the core's and the plugins' ``/static/<name>``).
STATIC_PREFIXES = ("/static/", "/favicon.ico")

#: The API reference pages, whose renderers need inline styles.
DOC_PAGES = frozenset({"/docs", "/redocs", "/scalar"})

_BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(*, inline_styles: bool = False, websocket: str = "") -> str:
    """The Content-Security-Policy header value; ``inline_styles`` for the API doc pages;
    ``websocket`` is this server's own ``ws(s)://host`` origin, named besides ``'self'`` for
    browsers that do not count WebSocket URLs as ``'self'`` (CSP level 2)."""
    directives = dict(_BASE_POLICY)
    if inline_styles:
        directives["style-src"] = "'self' 'unsafe-inline'"
    if websocket:
        directives["connect-src"] = f"'self' {websocket}"
    return "; ".join(f"{name} {value}" for name, value in directives.items())
#: A Host header that may be named in the policy (anything else is left out of it).
_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
#: Strict-Transport-Security when the deployment is served over HTTPS (``secure_cookies``).
HSTS = "max-age=31536000; includeSubDomains"


def cacheable(path: str, content_type: str | None, status: int = 200) -> bool:
    """True for static assets that browsers may cache; never for an HTML page or an error (a
    missing asset may be there after the next upgrade)."""
    if status >= 400 or (content_type is not None and content_type.startswith("text/html")):
        return False
    return path.startswith(STATIC_PREFIXES)


def security_headers(hsts: bool) -> Callable[[Response], Awaitable[Response]]:
    """The ``after_request`` hook that sets the headers; ``hsts`` adds Strict-Transport-Security."""

    async def apply(response: Response) -> Response:
        headers = response.headers
        path = request.path
        scheme = "wss" if request.scheme in ("https", "wss") else "ws"
        host = request.host if _HOST.fullmatch(request.host) else ""
        headers["Content-Security-Policy"] = policy(
            inline_styles=path in DOC_PAGES, websocket=f"{scheme}://{host}" if host else "")
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if hsts:
            headers["Strict-Transport-Security"] = HSTS
        if not cacheable(path, response.mimetype, response.status_code):
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        return response

    return apply
