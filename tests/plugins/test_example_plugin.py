"""docs/plugins.md's worked example, ``visit_log``, works exactly as written on a running node.

The plugin is built from the docs' code blocks into a plugins directory, and a real node (HTTP
and /ws on loopback) loads it; each part is then seen working as a user or operator would:
the guarded route, the /ws message, the actor's own table, the notification channel and the
event listener.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import trio

from tests.fakes import Client, base_url, start_node
from tests.sessions.conftest import join_as_guest, provider, start_session
from vclinic.store.migration import applied_ids

DOCS = Path(__file__).parents[2] / "docs" / "plugins.md"
FILE_BLOCK = re.compile(r"<!-- file: (visit_log/\S+) -->\n```\w+\n(.*?)```", re.DOTALL)


def build_from_docs(plugins_dir: Path) -> dict[str, str]:
    """Write the example's files, exactly as docs/plugins.md shows them, into ``plugins_dir``."""
    files = dict(FILE_BLOCK.findall(DOCS.read_text()))
    assert "visit_log/__init__.py" in files
    for name, content in files.items():
        path = plugins_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return files


def vclinic_imports(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "vclinic" or name.startswith("vclinic.")}


def test_the_example_imports_only_the_public_facade(tmp_path: Path) -> None:
    for source in build_from_docs(tmp_path).values():
        assert vclinic_imports(source) <= {"vclinic.api"}


async def test_every_part_of_the_example_works_on_a_running_node(
    nursery: trio.Nursery, tmp_path: Path,
) -> None:
    plugins_dir = tmp_path / "plugins"
    build_from_docs(plugins_dir)
    node = await start_node(nursery, tmp_path / "node", plugins_dir=str(plugins_dir))
    made: list[Client] = []

    def make() -> Client:
        made.append(Client(base_url(node)))
        return made[-1]

    try:
        # The guarded route: nobody signed in is refused, a signed-in provider is answered.
        anonymous = make()
        refused = await anonymous.request("GET", "/api/v1/visit_log/sessions/nosuchsession")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthorized"
        chair = await provider(make)
        created = await start_session(chair)
        sid = created["session"]["id"]
        assert (await chair.request("GET", f"/api/v1/visit_log/sessions/{sid}")).json() == {
            "session_id": sid, "joins": 0}

        # The event listener hears people joining and hands them to the plugin's actor.
        guest, joined = await join_as_guest(make, created["links"]["guest"]["path"])
        async with chair.ws() as chair_ws, guest.ws() as guest_ws:
            chair_pid = (await chair_ws.request("session.enter", {"session_id": sid})
                         )["data"]["you"]["id"]
            await guest_ws.request("session.enter", {"session_id": sid})
            listed = await chair.request("GET", f"/api/v1/visit_log/sessions/{sid}")
            assert listed.status_code == 200
            assert listed.json() == {"session_id": sid, "joins": 2}

            # The /ws message answers from the same actor.
            counted = await chair_ws.request("visit_log.count", {"session_id": sid})
            assert counted["type"] == "reply"
            assert counted["data"] == {"session_id": sid, "joins": 2}
            bad = await chair_ws.request("visit_log.count", {"session_id": 7})
            assert bad["type"] == "error"

        # The notification channel received what the actor sent through the service.
        ticker: dict[str, Any] = (await chair.request("GET", "/api/v1/visit_log/ticker")).json()
        assert ticker == {"notices": [
            {"kind": "visit_log.joined", "session_id": sid, "participant_id": chair_pid},
            {"kind": "visit_log.joined", "session_id": sid,
             "participant_id": joined["participant_id"]},
        ]}
        unauthorised = await anonymous.request("GET", "/api/v1/visit_log/ticker")
        assert unauthorised.status_code == 401

        # The actor's own table exists through its migration and holds the rows it wrote.
        store = node.context.store
        assert "visit_log.0001" in await store.run(applied_ids, store.database)
        plugin: Any = node.context.plugins.plugin("visit_log")
        rows = await store.run(lambda: sorted(
            j.participant_id for j in plugin.Join.select().where(plugin.Join.session_id == sid)))
        assert rows == sorted([chair_pid, joined["participant_id"]])
        stats = node.context.runtime.statistics().supervisor("kind:visit_log")
        assert stats is not None and stats.escalations == 0
    finally:
        for client in made:
            await client.aclose()
