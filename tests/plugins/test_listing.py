"""The table ``vclinic plugins`` prints."""

from __future__ import annotations

from vclinic.plugins import PluginHost, PluginMeta, hookimpl
from vclinic.plugins.listing import format_plugin_table


class Visits:
    VCLINIC_PLUGIN_API = (1, 0)

    @hookimpl
    def vclinic_plugin_info(self) -> PluginMeta:
        return PluginMeta("Visits", "Scheduled video visits")


def test_table_lists_each_installed_plugin_and_whether_it_is_enabled() -> None:
    host = PluginHost(enabled=("visits",))
    host.register(Visits(), "visits", version="1.0.0")
    host.register(Visits(), "on_demand")
    assert format_plugin_table(host) == (
        "NAME       VERSION  ENABLED  SOURCE      DESCRIPTION\n"
        "on_demand  -        no       registered  -\n"
        "visits     1.0.0    yes      registered  Visits: Scheduled video visits\n"
        "\n"
        "2 installed, 1 enabled\n"
    )


def test_table_says_when_nothing_is_installed() -> None:
    assert "No plugins installed" in format_plugin_table(PluginHost())
