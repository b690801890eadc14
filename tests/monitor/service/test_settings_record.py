"""The settings a run applies are on record: once while unchanged, with a readable diff when
changed, secrets never in clear."""

from __future__ import annotations

from pathlib import Path

from config.loading import validate_mapping
from monitor.journal import Journal, JournalReader, generate_key_file, load_key_file
from monitor.service.settings_record import SETTINGS_APPLIED, record_settings
from tests.monitor.service.lab_settings import lab_settings, lab_settings_mapping
from tests.monitor.service.pipeline_lab import T0, ManualClock


def applied(path: Path) -> list[dict[str, object]]:
    with JournalReader(path) as reader:
        return [
            dict(r.fields) for r in reader.stream_records("device") if r.kind == SETTINGS_APPLIED
        ]


def test_settings_are_recorded_once_then_each_change_with_its_diff(tmp_path: Path) -> None:
    generate_key_file(tmp_path / "k")
    key = load_key_file(tmp_path / "k")
    settings = lab_settings(tmp_path, 1883)
    with Journal(tmp_path / "j.sqlite", key, ManualClock(T0)) as journal:
        assert record_settings(journal, settings, T0) is not None
        assert record_settings(journal, settings, T0 + 1) is None
        data = lab_settings_mapping(tmp_path, 1883)
        data["enclosures"][0]["band"] = {"low": 0.0, "high": 5.0}
        data["mqtt"].update(username="lab", password="s3cret-never-shown")
        changed = validate_mapping(data, "test")
        assert record_settings(journal, changed, T0 + 2) is not None
    first, second = applied(tmp_path / "j.sqlite")
    assert first["settings_hash"] != second["settings_hash"]
    assert "enclosures[0].band.high: 4.0 → 5.0" in str(second["changes"])
    assert "s3cret-never-shown" not in str(second)
