"""The C allocator in one arena: what a worker thread freed is memory the loop can reuse.

glibc's malloc gives each thread that allocates an arena of its own (up to eight per core),
and keeps in it what the thread freed. The daemon reads the journal for its pages, sheets
and checks in worker threads: each such read leaves its SQLite page cache and its rows'
buffers in the thread's arena, memory the event loop's thread cannot use, and the resident
set grows by an arena's worth for each thread that ever read. With one arena the memory a
read freed serves the next allocation of any thread (measured: 0.8 MB less after a round of
the web pages on a week of journal). The threads share its lock, which a daemon that reads
in one thread at a time never waits on. Elsewhere than glibc (musl) there is nothing to set.
"""

from __future__ import annotations

import ctypes

M_ARENA_MAX = -8  # glibc's malloc.h


def one_arena() -> bool:
    """Set glibc's arena limit to one, before the threads start; whether it was set."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, 1))
