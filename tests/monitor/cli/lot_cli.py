"""``lactamon`` run in this process for the lot tests: the one of the command tests."""

from __future__ import annotations

from tests.monitor.cli.test_ops_cmd import Run, lactamon

__all__ = ["Run", "lactamon"]
