"""TURN credentials in coturn's use-auth-secret scheme, and the ICE servers clients get."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from vclinic.config import load_settings
from vclinic.media.service import MediaService
from vclinic.media.turn import client_ice_servers, turn_credential


def test_credential_is_expiry_and_participant_signed_with_the_shared_secret() -> None:
    cred = turn_credential("s3cret", "p-123", 1_700_000_000)
    assert cred.username == "1700000000:p-123"
    expected = base64.b64encode(
        hmac.new(b"s3cret", b"1700000000:p-123", hashlib.sha1).digest()).decode()
    assert cred.credential == expected
    assert cred.expires_at == 1_700_000_000
    # Another secret, participant or expiry gives another password.
    assert turn_credential("other", "p-123", 1_700_000_000).credential != expected
    assert turn_credential("s3cret", "p-124", 1_700_000_000).credential != expected
    assert turn_credential("s3cret", "p-123", 1_700_000_001).credential != expected


def test_credential_needs_a_secret_and_a_colon_free_participant() -> None:
    with pytest.raises(ValueError):
        turn_credential("", "p", 1)
    with pytest.raises(ValueError):
        turn_credential("s", "a:b", 1)


def test_service_mints_credentials_that_expire_after_the_ttl(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("vclinic.media.service.time.time", lambda: 1_000.4)
    settings = load_settings(env={}, turn_secret="k", media_workers=1, turn_ttl_seconds=600,
                             ice_servers=["stun:127.0.0.1:3478", "turn:127.0.0.1:3478"])
    service = MediaService(settings, bus=_NoBus())
    assert service.turn_credentials("p", 60).username == "1060:p"
    config = service.ice_config("p")
    assert config["expires_at"] == 1600
    stun, turn = config["ice_servers"]
    assert stun == {"urls": ["stun:127.0.0.1:3478"]}
    assert turn["urls"] == ["turn:127.0.0.1:3478"]
    assert turn["username"] == "1600:p"


def test_turn_urls_are_left_out_without_a_credential() -> None:
    urls = ["stun:a:3478", "turn:a:3478?transport=udp", "turns:a:5349"]
    assert client_ice_servers(urls, None) == [{"urls": ["stun:a:3478"]}]
    assert client_ice_servers([], None) == []


class _NoBus:
    def publish(self, topic: str, event: object) -> int:
        return 0
