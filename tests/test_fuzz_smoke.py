"""The fuzz targets of ``tests/fuzz`` at a small count, so the normal run keeps them working.

``tests/fuzz`` itself runs on demand at full counts (see ``tests/fuzz/conftest.py``); here
each target runs about fifty cases from a fixed seed, under the same rules: no crash, no
reading from a garbage payload, no 500 and no traceback from the API, no traceback from
``lactamon config check``, no altered bundle verified OK.
"""

from __future__ import annotations

from pathlib import Path

from config.mqtt_presets import PRESETS
from tests.fuzz import api_server, bundles, payloads, settings_files
from tests.fuzz.figures import Figures

SMOKE_COUNT = 50
SEED = 1


def test_mqtt_payloads_of_every_preset() -> None:
    runs = payloads.run(SMOKE_COUNT, SEED)
    assert len(runs) == len(PRESETS)
    for figures in runs:
        assert figures.counts["payloads"] == SMOKE_COUNT
        figures.assert_clean()


async def test_http_api_on_loopback() -> None:
    figures = await api_server.run(SMOKE_COUNT, SEED)
    assert figures.counts["requests"] + _lost(figures) == SMOKE_COUNT
    figures.assert_clean()


def _lost(figures: Figures) -> int:
    return sum(n for name, n in figures.counts.items() if name.startswith("connection: "))


def test_settings_files_through_config_check(tmp_path: Path) -> None:
    figures = settings_files.run(SMOKE_COUNT, SEED, tmp_path)
    assert figures.counts["files"] + figures.failed["the fuzzer's TOML writer"] == SMOKE_COUNT
    figures.assert_clean()


def test_bundles_through_verify_bundle(tmp_path: Path) -> None:
    figures = bundles.run(SMOKE_COUNT, SEED, tmp_path)
    assert figures.counts["bundles"] == SMOKE_COUNT
    # The fuzzer's own oracle must see both kinds, or it is not telling them apart.
    assert figures.counts["values unchanged"]
    assert figures.counts["values changed"]
    figures.assert_clean()
