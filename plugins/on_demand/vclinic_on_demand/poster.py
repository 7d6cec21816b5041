"""The public page's address and its QR code, for the admin to share and print; pure functions
owned by the on_demand plugin (segno draws the code)."""

from __future__ import annotations

import io

import segno


def page_url(base: str, slug: str) -> str:
    """The absolute address of the organisation's public-facing calendar (Meet Now)."""
    return f"{base.rstrip('/')}/o/{slug}/calendar"


def qr_svg(url: str) -> str:
    """A QR code of ``url`` as a standalone SVG document with a title (read by screen readers)
    and a quiet zone, scaled for print; error correction level M survives a scuffed poster."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=8, border=4, title="QR code of the public page",
              xmldecl=False, svgns=True, nl=False)
    return out.getvalue().decode()
