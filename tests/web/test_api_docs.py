"""The API reference pages reference only assets this server serves itself."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.fakes import Client


class Assets(HTMLParser):
    """The script and stylesheet URLs of a page, and whether it has inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.urls.append(str(found["src"]))
            else:
                self.inline_scripts += 1
        if tag == "link" and found.get("rel") in ("stylesheet", "icon") and found.get("href"):
            self.urls.append(str(found["href"]))


async def test_every_script_and_style_of_the_doc_pages_is_served_locally(client: Client) -> None:
    for page in ("/docs", "/redocs", "/scalar"):
        response = await client.request("GET", page)
        assert response.status_code == 200
        assets = Assets()
        assets.feed(response.text)
        assert assets.inline_scripts == 0, page
        scripts = [u for u in assets.urls if u.endswith(".js")]
        assert len(scripts) >= 2, page
        for url in assets.urls:
            assert url.startswith("/") and not url.startswith("//"), (page, url)
            asset = await client.request("GET", url)
            assert asset.status_code == 200, (page, url)
            if url.endswith(".js"):
                assert "javascript" in asset.headers["content-type"], url
            if url.endswith(".css"):
                assert asset.headers["content-type"].startswith("text/css"), url
