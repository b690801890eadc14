"""Settings of the example simulator lab, moved to free ports and a temporary folder."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from config import Settings
from config.loading import validate_mapping
from tests.fixtures.api_token import READ_TOKEN
from tests.fixtures.ports import free_port

EXAMPLE = Path(__file__).parents[3] / "config" / "examples" / "simulator.toml"


def lab_settings_mapping(
    tmp_path: Path, mqtt_port: int, **sections: dict[str, object]
) -> dict[str, Any]:
    """The settings as parsed TOML, before validation: what a settings file of another
    process is written from."""
    data = tomllib.loads(EXAMPLE.read_text())
    data["mqtt"]["port"] = mqtt_port
    data["mqtt"]["backoff"] = {"initial_s": 0.05, "max_s": 0.5}
    data["modbus"][0]["port"] = free_port()
    data["journal"] = {"path": str(tmp_path / "journal.sqlite"), "commit_interval_s": 0.2}
    data["signing"] = {"key_file": str(tmp_path / "device.key")}
    data["users"] = {"path": str(tmp_path / "users.sqlite")}
    data["web"] = {"host": "127.0.0.1", "port": 0, "read_token": READ_TOKEN}
    # 10 s between polls: at 300x the gap limit (3 periods) is still 100 ms of real time,
    # so a busy test machine cannot break a hold by being slow.
    for probe in data["probes"]:
        probe["sample_period_s"] = 10.0
    data.update(sections)
    # Reads over TCP need the token: the tests' own HTTP clients send it (READ_HEADERS).
    data["web"] = {"read_token": READ_TOKEN, **data["web"]}
    return data


def lab_settings(tmp_path: Path, mqtt_port: int, **sections: dict[str, object]) -> Settings:
    return validate_mapping(lab_settings_mapping(tmp_path, mqtt_port, **sections), str(EXAMPLE))
