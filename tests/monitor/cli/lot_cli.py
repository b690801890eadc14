"""``lactamon`` run in this process for the lot tests, its password piped on standard input."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from monitor.cli.main import main


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def lactamon(config: Path, *args: str, stdin: str = "") -> Run:
    """``lactamon ARGS --config CONFIG`` with ``stdin`` piped to it (a line per password)."""
    out, err = io.StringIO(), io.StringIO()
    piped, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main([*args, "--config", str(config)])
            except SystemExit as exc:  # argparse refuses bad arguments this way
                code = int(exc.code or 0)
    finally:
        sys.stdin = piped
    return Run(code, out.getvalue(), err.getvalue())
