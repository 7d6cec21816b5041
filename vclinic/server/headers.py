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


def policy(*, inline_styles: bool = False) -> str:
    """The Content-Security-Policy header value; ``inline_styles`` for the API doc pages."""
    directives = dict(_BASE_POLICY)
    if inline_styles:
        directives["style-src"] = "'self' 'unsafe-inline'"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


PAGE_POLICY = policy()
DOC_POLICY = policy(inline_styles=True)
#: Strict-Transport-Security when the deployment is served over HTTPS (``secure_cookies``).
HSTS = "max-age=31536000; includeSubDomains"


def cacheable(path: str, content_type: str | None) -> bool:
    """True for static assets that browsers may cache; never for an HTML page."""
    if content_type is not None and content_type.startswith("text/html"):
        return False
    return path.startswith(STATIC_PREFIXES)


def security_headers(hsts: bool) -> Callable[[Response], Awaitable[Response]]:
    """The ``after_request`` hook that sets the headers; ``hsts`` adds Strict-Transport-Security."""

    async def apply(response: Response) -> Response:
        headers = response.headers
        path = request.path
        headers["Content-Security-Policy"] = DOC_POLICY if path in DOC_PAGES else PAGE_POLICY
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if hsts:
            headers["Strict-Transport-Security"] = HSTS
        if not cacheable(path, response.mimetype):
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        return response

    return apply
