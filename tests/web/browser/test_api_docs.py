"""The API reference pages render in Chromium with every other origin unreachable, as on a
clinic network without internet."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser.harness import NodeThread


@pytest.mark.parametrize(("path", "rendered"), [
    ("/docs", ".swagger-ui .info .title"),
    ("/redocs", "h1"),
    ("/scalar", "h1"),
])
def test_doc_page_renders_with_no_network(node: NodeThread, context: Any, path: str,
                                          rendered: str) -> None:
    elsewhere: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(node.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    page.goto(f"{node.url}{path}")
    title = page.locator(rendered, has_text="vclinic API").first
    title.wait_for(timeout=30000)
    assert elsewhere == []
