"""``lactamon run`` puts the C allocator in one arena (glibc), in a process of its own."""

from __future__ import annotations

import subprocess
import sys

import pytest

# A thread's allocation, then glibc's malloc_stats(), which writes each arena's figures to the
# standard error: "Arena 1" is the thread's own arena.
PROBE = """
import ctypes, sys, threading
from monitor.service.allocator import one_arena
if sys.argv[1] == "one":
    print(one_arena(), flush=True)
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
kept = []
thread = threading.Thread(target=lambda: kept.append(libc.malloc(64 * 1024)))
thread.start(); thread.join()
libc.malloc_stats()
"""


@pytest.mark.parametrize("arenas", ["one", "default"])
def test_one_arena_keeps_a_threads_allocation_in_the_main_arena(arenas: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, arenas], capture_output=True, text=True, check=True
    )
    assert "Arena 0:" in out.stderr, out.stderr
    if arenas == "one":
        assert out.stdout.split() == ["True"]
        assert "Arena 1:" not in out.stderr, out.stderr
    else:  # what the setting changes
        assert "Arena 1:" in out.stderr, out.stderr
