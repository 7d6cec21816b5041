"""Roles and access levels of a session: what each role may do and who may join under each
access level. Pure functions, owned by the session model; the actor and the API both ask here.

| role        | publish audio/video/screen | receive | add, settings, close, capture, record |
|-------------|----------------------------|---------|---------------------------------------|
| chair       | yes                        | yes     | yes                                   |
| broadcaster | yes                        | yes     | no                                    |
| viewer      | no                         | yes     | no                                    |

Access levels: ``private`` (only listed people from the practice), ``internal`` (anyone at the
practice with the link), ``invitation`` (anyone with the link, guests included; the default).
"""

from __future__ import annotations

import enum

from vclinic.media.protocol import Permissions

ROLES: tuple[str, ...] = ("chair", "broadcaster", "viewer")
ACCESS_LEVELS: tuple[str, ...] = ("private", "internal", "invitation")
#: The role of people added to the list and of guests who are not on it.
DEFAULT_ROLE = "broadcaster"
DEFAULT_ACCESS = "invitation"


class Ability(enum.StrEnum):
    """Something a participant may do in a session."""

    PUBLISH_AUDIO = "publish_audio"
    PUBLISH_VIDEO = "publish_video"
    PUBLISH_SCREEN = "publish_screen"
    RECEIVE = "receive"
    ADD_PARTICIPANT = "add_participant"
    CHANGE_SETTINGS = "change_settings"
    CLOSE = "close"
    CAPTURE = "capture"
    RECORD = "record"


_PUBLISH = frozenset({Ability.PUBLISH_AUDIO, Ability.PUBLISH_VIDEO, Ability.PUBLISH_SCREEN,
                      Ability.RECEIVE})
ABILITIES: dict[str, frozenset[Ability]] = {
    "chair": frozenset(Ability),
    "broadcaster": _PUBLISH,
    "viewer": frozenset({Ability.RECEIVE}),
}


def can(role: str, ability: Ability) -> bool:
    """True if ``role`` has ``ability``; an unknown role has none."""
    return ability in ABILITIES.get(role, frozenset())


def permissions(role: str) -> Permissions:
    """The media permissions of ``role``: what the SFU lets the participant publish."""
    return Permissions(audio=can(role, Ability.PUBLISH_AUDIO),
                       video=can(role, Ability.PUBLISH_VIDEO),
                       screen=can(role, Ability.PUBLISH_SCREEN),
                       subscribe=can(role, Ability.RECEIVE))


def permissions_dict(role: str) -> dict[str, bool]:
    """The permissions of ``role`` as the ``/ws`` and API bodies show them."""
    p = permissions(role)
    return {"audio": p.audio, "video": p.video, "screen": p.screen, "subscribe": p.subscribe,
            "record": can(role, Ability.RECORD)}


def qualifies(access_level: str, kind: str, listed: bool) -> bool:
    """True if a participant of ``kind`` (``practice`` or ``guest``) meets ``access_level``.

    Practice participants are people of the session's organisation; a signed-in user of another
    organisation counts as a guest.
    """
    if kind == "guest":
        return access_level == "invitation"
    return listed or access_level in ("internal", "invitation")
