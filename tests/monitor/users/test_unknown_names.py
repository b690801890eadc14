"""A sign-in must not tell whether a user name exists: not by its answer, not by its time."""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import VerifyMismatchError

from monitor.users import AuthError, Permission, Role, UserStore
from monitor.users import unknown_names as unknown_module
from monitor.users.unknown_names import dummy_hash

S = 1_000_000_000
PW = "correct horse battery"
TRIES = 10
# Cheap argon2id parameters, where time does not matter.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def costly_store(path: Path) -> UserStore:
    # Costly enough that argon2, not SQLite, is what a sign-in's time is made of; cheaper
    # than the daemon's default so ten tries of each take about a second.
    store = UserStore(path, PasswordHasher(time_cost=1, memory_cost=32 * 1024, parallelism=1))
    store.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="admin")
    return store


def outcome(store: UserStore, ts: int, name: str, password: str) -> tuple[str, str]:
    """What a sign-in answered, with the name it was for taken out."""
    try:
        store.authenticate(ts, name, password)
    except AuthError as exc:
        return type(exc).__name__, str(exc).replace(name, "NAME")
    return "signed in", ""


async def test_unknown_and_known_names_take_the_same_time(tmp_path: Path) -> None:
    store = costly_store(tmp_path / "users.sqlite")
    times: dict[str, list[float]] = {"anne": [], "zoe": []}
    for i in range(TRIES):
        for name in times:  # interleaved: a slow moment of the machine falls on both
            start = time.perf_counter()
            with pytest.raises(AuthError, match="wrong user name or password"):
                # Hours apart: neither name is throttled, both are fully checked.
                await store.authorise_off_loop(i * 3600 * S, name, "not it", Permission.READ)
            times[name].append(time.perf_counter() - start)
    ratio = statistics.median(times["zoe"]) / statistics.median(times["anne"])
    assert 0.5 <= ratio <= 2.0, times


def test_unknown_and_known_names_are_throttled_alike(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.sqlite", CHEAP)
    store.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="admin")
    # Three free failures, then waits of 1, 2, 4 s after the last: tried early and in time.
    schedule = [0.0, 1.0, 2.0, 2.5, 3.1, 4.0, 5.2, 7.0, 7.3, 9.0, 11.0]
    answers = {
        name: [outcome(store, int(t * S), name, "not the password") for t in schedule]
        for name in ("anne", "zoe")
    }
    assert answers["anne"] == answers["zoe"]
    assert answers["zoe"][3] == ("Throttled", "too many failed attempts for NAME: try again in 1 s")
    assert [kind for kind, _ in answers["zoe"]].count("Throttled") == 5


def test_an_unknown_name_stays_throttled_after_a_restart(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.sqlite", CHEAP)
    for i in range(5):
        assert outcome(store, i * 10 * S, "zoe", PW)[0] == "AuthError"
    store.close()
    again = UserStore(tmp_path / "users.sqlite", CHEAP)
    assert outcome(again, 41 * S, "zoe", PW) == (
        "Throttled", "too many failed attempts for NAME: try again in 3 s"
    )  # fmt: skip


def test_a_disabled_user_is_told_so_only_with_the_right_password(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.sqlite", CHEAP)
    store.add(0, "anne", "Anne Martin", Role.TECHNICIAN, PW, by="admin")
    store.disable(1, "anne", by="sup")
    assert outcome(store, 2 * S, "anne", "guess") == outcome(store, 2 * S, "zoe", "guess")
    assert outcome(store, 3 * S, "anne", PW) == ("AuthError", "user NAME is disabled")


def test_the_dummy_hash_has_the_hashers_parameters() -> None:
    hasher = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=2, hash_len=24)
    dummy = dummy_hash(hasher)
    assert extract_parameters(dummy) == extract_parameters(hasher.hash(PW))
    assert dummy != dummy_hash(hasher)  # a salt of its own each time
    for password in ("", PW):
        with pytest.raises(VerifyMismatchError):
            hasher.verify(dummy, password)


def test_failures_of_unknown_names_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unknown_module, "MAX_NAMES", 5)
    store = UserStore(tmp_path / "users.sqlite", CHEAP)
    for i in range(20):
        outcome(store, i * S, f"guess-{i}", PW)
    db = sqlite3.connect(tmp_path / "users.sqlite")
    kept = [r[0] for r in db.execute("SELECT username FROM unknown_name_failures ORDER BY 1")]
    assert kept == [f"guess-{i}" for i in range(15, 20)]  # the most recent ones


def test_a_new_user_does_not_inherit_failures_of_the_name(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.sqlite", CHEAP)
    for i in range(4):
        outcome(store, i * S, "bob", PW)
    store.add(4 * S, "bob", "Bob Petit", Role.TECHNICIAN, PW, by="admin")
    assert outcome(store, 4 * S, "bob", PW) == ("signed in", "")


def test_a_name_no_user_can_have_is_refused_but_not_counted(tmp_path: Path) -> None:
    # Names outside the user-name rule can never exist, so their answer tells nothing about
    # anyone; not counting them keeps each counted name short.
    store = UserStore(tmp_path / "users.sqlite", CHEAP)
    name = "Not A User Name " * 100
    for i in range(5):
        assert outcome(store, i * S // 10, name, PW) == ("AuthError", "wrong user name or password")
    db = sqlite3.connect(tmp_path / "users.sqlite")
    assert db.execute("SELECT COUNT(*) FROM unknown_name_failures").fetchone() == (0,)
