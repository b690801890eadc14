"""How many cases each fuzz target runs, and from which seed.

``--fuzz-count N`` (or ``LACTAMON_FUZZ_COUNT=N``) runs N cases per target (per preset for
the MQTT payloads); without it each target runs its full count. ``--fuzz-seed S`` (or
``LACTAMON_FUZZ_SEED``) replays a run: the same seed and count give the same cases.
"""

from __future__ import annotations

import os

import pytest

DEFAULT_SEED = 20260301


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fuzz", "fuzz targets (tests/fuzz)")
    group.addoption("--fuzz-count", type=int, default=None, help="cases per fuzz target")
    group.addoption("--fuzz-seed", type=int, default=None, help="seed of the generated cases")


def _setting(config: pytest.Config, option: str, variable: str) -> int | None:
    value = config.getoption(option)
    if value is None and os.environ.get(variable):
        value = int(os.environ[variable])
    return value if value is None else int(value)


@pytest.fixture
def fuzz_count(request: pytest.FixtureRequest) -> int | None:
    """The count asked for, or None: the target's own full count."""
    count = _setting(request.config, "--fuzz-count", "LACTAMON_FUZZ_COUNT")
    if count is not None and count < 1:
        raise pytest.UsageError("--fuzz-count must be at least 1")
    return count


@pytest.fixture
def fuzz_seed(request: pytest.FixtureRequest) -> int:
    seed = _setting(request.config, "--fuzz-seed", "LACTAMON_FUZZ_SEED")
    return DEFAULT_SEED if seed is None else seed
