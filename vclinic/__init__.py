"""vclinic: a self-hosted telehealth server."""

from __future__ import annotations

__version__ = "0.1.0"

#: Version of the plugin API (hookspecs). A plugin declares the version it was written for with a
#: module attribute ``VCLINIC_PLUGIN_API = (major, minor)``; the host accepts it when the major
#: numbers match and the plugin's minor is not newer than this one.
PLUGIN_API_VERSION: tuple[int, int] = (1, 0)
