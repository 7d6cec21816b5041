"""A plugin written against ``vclinic.api`` alone, on a real node: its guards let the right
people in, and its actor kind receives the node's services through its factory."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio

from tests.fakes import ADMIN, PROVIDER, STATION, Client, base_url, start_node
from vclinic.server.run import Running

PROBE = '''
import functools
from dataclasses import dataclass
from typing import Any

from quart import Blueprint

from vclinic.api import (
    Actor, ActorContext, ActorKind, Address, AppContext, current_principal, hookimpl,
    require_admin, require_signin, require_staff, require_station, services,
)

VCLINIC_PLUGIN_API = (1, 0)

bp = Blueprint("probe", __name__, url_prefix="/api/v1/probe")


@bp.get("/staff")
@require_staff
async def staff() -> dict[str, Any]:
    """Staff only."""
    return {"roles": sorted(current_principal().roles)}


@bp.get("/admin")
@require_admin
async def admin() -> dict[str, Any]:
    return {"ok": True}


@bp.get("/station")
@require_station
async def station() -> dict[str, Any]:
    return {"ok": True}


@dataclass(frozen=True)
class Add:
    """The one message a Tally takes."""


@bp.post("/tally/<name>")
@require_signin
async def tally(name: str) -> dict[str, Any]:
    return await services().ref("tally", name).call(Add())


class Tally(Actor):
    """Counts, saving its count; built with the node's services."""

    def __init__(self, address: Address, context: ActorContext, services: AppContext) -> None:
        super().__init__(address, context)
        self.services = services
        self.count = 0

    async def on_start(self) -> None:
        self.count = (await self.context.load_state() or {}).get("count", 0)

    async def handle(self, message: Any) -> Any:
        self.count += 1
        await self.context.save_state({"count": self.count})
        # The injected services are the node's own: the same registry that activated this actor.
        return {"count": self.count,
                "own_node": self.services.registry.actor_statistics(self.address) is not None}


@dataclass(frozen=True)
class TallyKind:
    factory: Any
    kind: str = "tally"
    mailbox_size: int = 8
    restart: str = "transient"


@hookimpl
def vclinic_register_blueprints():
    return [bp]


@hookimpl
def vclinic_register_actor_kinds(services: AppContext) -> list[ActorKind]:
    return [TallyKind(functools.partial(Tally, services=services))]
'''


@pytest.fixture
async def node(nursery: trio.Nursery, tmp_path: Path) -> Running:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "probe.py").write_text(textwrap.dedent(PROBE))
    return await start_node(nursery, tmp_path / "data", plugins_dir=str(plugins))


@pytest.fixture
async def clients(node: Running) -> AsyncIterator[dict[str, Client]]:
    made = {"anonymous": Client(base_url(node))}
    for name, email in (("provider", PROVIDER), ("admin", ADMIN), ("station", STATION)):
        made[name] = Client(base_url(node))
        assert (await made[name].signin(email)).status_code == 200
    yield made
    for client in made.values():
        await client.aclose()


@pytest.mark.parametrize(("path", "allowed"), [
    ("/api/v1/probe/staff", {"provider", "admin"}),
    ("/api/v1/probe/admin", {"admin"}),
    ("/api/v1/probe/station", {"station"}),
])
async def test_facade_guards_let_in_only_the_roles_they_name(
        clients: dict[str, Client], path: str, allowed: set[str]) -> None:
    for name, client in clients.items():
        response = await client.request("GET", path)
        if name == "anonymous":
            assert response.status_code == 401
        elif name in allowed:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 403, name
            assert response.json()["error"]["message"]


async def test_plugin_actor_gets_the_node_services_and_its_state_is_listed(
        node: Running, clients: dict[str, Client]) -> None:
    provider = clients["provider"]
    first = (await provider.request("POST", "/api/v1/probe/tally/a")).json()
    second = (await provider.request("POST", "/api/v1/probe/tally/a")).json()
    assert first == {"count": 1, "own_node": True}
    assert second == {"count": 2, "own_node": True}
    await provider.request("POST", "/api/v1/probe/tally/b")
    assert await node.context.snapshots.of_kind("tally") == {"a": {"count": 2},
                                                            "b": {"count": 1}}
