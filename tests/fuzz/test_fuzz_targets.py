"""The fuzz targets at their full counts, or at ``--fuzz-count N`` each; see ``conftest.py``.

Run on demand, never in the normal run (``tests/fuzz`` is in ``norecursedirs``)::

    .venv/bin/pytest -s tests/fuzz                     # full counts
    .venv/bin/pytest -s tests/fuzz --fuzz-count 500    # 500 cases per target
    LACTAMON_FUZZ_COUNT=500 .venv/bin/pytest -s tests/fuzz -k bundles
    .venv/bin/pytest -s tests/fuzz --fuzz-seed 7       # other cases, replayable

``-s`` shows each target's figures; a failure lists the inputs that broke a rule.
"""

from __future__ import annotations

from pathlib import Path

from tests.fuzz import api_server, bundles, payloads, settings_files


def test_mqtt_payloads(fuzz_count: int | None, fuzz_seed: int) -> None:
    runs = payloads.run(fuzz_count or payloads.FULL_COUNT, fuzz_seed)
    for figures in runs:
        print(figures.format())
    for figures in runs:
        figures.assert_clean()


async def test_http_api(fuzz_count: int | None, fuzz_seed: int) -> None:
    figures = await api_server.run(fuzz_count or api_server.FULL_COUNT, fuzz_seed)
    print(figures.format())
    figures.assert_clean()


def test_settings_files(fuzz_count: int | None, fuzz_seed: int, tmp_path: Path) -> None:
    figures = settings_files.run(fuzz_count or settings_files.FULL_COUNT, fuzz_seed, tmp_path)
    print(figures.format())
    figures.assert_clean()


def test_bundles(fuzz_count: int | None, fuzz_seed: int, tmp_path: Path) -> None:
    figures = bundles.run(fuzz_count or bundles.FULL_COUNT, fuzz_seed, tmp_path)
    print(figures.format())
    figures.assert_clean()
