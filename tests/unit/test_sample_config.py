"""The sample ``vclinic.toml`` at the repository root stays valid and complete."""

from __future__ import annotations

import tomllib
from pathlib import Path

from vclinic.config import Settings, load_settings

SAMPLE = Path(__file__).resolve().parents[2] / "vclinic.toml"


def test_the_sample_config_names_every_setting() -> None:
    written = tomllib.loads(SAMPLE.read_text())
    assert sorted(written) == sorted(Settings.model_fields), "vclinic.toml is out of date"


def test_the_sample_config_loads_and_holds_the_defaults() -> None:
    assert load_settings(SAMPLE, env={}) == load_settings(env={})


def test_every_setting_in_the_sample_is_explained() -> None:
    lines = SAMPLE.read_text().splitlines()
    for number, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[number - 1].startswith("# "), f"{line.split()[0]} has no comment above"
