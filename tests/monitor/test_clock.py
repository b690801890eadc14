import asyncio
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.clock import (
    ScaledClock,
    SystemClock,
    datetime_to_ns,
    make_clock,
    ns_to_datetime,
    sleep_to_beat,
    to_beat,
)


def test_system_clock_is_utc_now() -> None:
    assert abs(SystemClock().now_ns() - time.time_ns()) < 1_000_000_000
    assert SystemClock().speed == 1.0


async def test_scaled_clock_runs_faster_from_its_origin() -> None:
    origin = datetime_to_ns(datetime(2026, 1, 1, tzinfo=UTC))
    clock = ScaledClock(speed=600, origin_ns=origin)
    start = clock.monotonic()
    await clock.sleep(60)  # one simulated minute: about 0.1 s of real time
    elapsed = clock.monotonic() - start
    assert elapsed >= 60
    assert clock.now_ns() - origin >= 60 * 1_000_000_000


@pytest.mark.parametrize("speed", [0, -1, float("nan"), float("inf")])
def test_scaled_clock_refuses_bad_speed(speed: float) -> None:
    with pytest.raises(ValueError, match="clock speed"):
        ScaledClock(speed)


def test_make_clock_picks_system_clock_only_for_real_time() -> None:
    assert isinstance(make_clock(1.0), SystemClock)
    assert isinstance(make_clock(60.0), ScaledClock)
    assert isinstance(make_clock(1.0, origin_ns=0), ScaledClock)


@given(st.datetimes(timezones=st.just(UTC)))
def test_datetime_ns_round_trip(when: datetime) -> None:
    assert ns_to_datetime(datetime_to_ns(when)) == when


def test_naive_datetime_refused_and_offsets_respected() -> None:
    with pytest.raises(ValueError, match="naive"):
        datetime_to_ns(datetime(2026, 1, 1))
    paris = timezone(timedelta(hours=1))
    assert datetime_to_ns(datetime(2026, 1, 1, 1, tzinfo=paris)) == datetime_to_ns(
        datetime(2026, 1, 1, tzinfo=UTC)
    )


async def test_sleep_never_negative() -> None:
    await asyncio.wait_for(ScaledClock(10).sleep(-5), timeout=1)


async def test_clocks_given_one_real_start_share_one_timeline() -> None:
    first = ScaledClock(speed=600, origin_ns=0)
    await asyncio.sleep(0.05)  # a process started later, e.g. a daemon after a crash
    later = ScaledClock(speed=600, origin_ns=first.origin_ns, real_start=first.real_start)
    fresh = ScaledClock(speed=600, origin_ns=first.origin_ns)
    assert later.real_start == first.real_start
    before, shared, after = first.now_ns(), later.now_ns(), first.now_ns()
    assert before <= shared <= after
    assert fresh.now_ns() < before  # without the real start it would begin at the origin again


@pytest.mark.parametrize("real_start", [float("nan"), float("inf")])
def test_scaled_clock_refuses_bad_real_start(real_start: float) -> None:
    with pytest.raises(ValueError, match="real start"):
        ScaledClock(10, real_start=real_start)


@pytest.mark.parametrize(
    ("now", "period", "expected"),
    [(12.25, 1.0, 0.75), (12.0, 1.0, 1.0), (7.0, 5.0, 3.0), (3.5, 2.0, 0.5), (0.0, 10.0, 10.0)],
)
def test_a_beat_is_the_next_multiple_of_the_period(
    now: float, period: float, expected: float
) -> None:
    assert to_beat(now, period) == pytest.approx(expected)


async def test_sleeps_to_the_beat_of_tasks_of_several_periods_end_together() -> None:
    clock = ScaledClock(speed=4)  # a clock second is a quarter of a real second
    ends: dict[float, list[float]] = {1.0: [], 2.0: [], 4.0: []}

    async def beating(period: float) -> None:
        for _ in range(int(4 / period)):
            await sleep_to_beat(period, clock)
            ends[period].append(clock.monotonic())

    # Half a second past a beat: a sleep of whole periods from here would end off the beats.
    await clock.sleep(to_beat(clock.monotonic(), 4.0) + 0.5)
    await asyncio.gather(*(beating(p) for p in ends))
    # Each wakes on a multiple of its period, late by the little the event loop takes.
    for period, times in ends.items():
        assert all(t % period < 0.4 for t in times), (period, times)
    assert {round(t) for t in ends[4.0]} <= {round(t) for t in ends[2.0]}
    assert {round(t) for t in ends[2.0]} <= {round(t) for t in ends[1.0]}


async def test_without_a_clock_the_sleep_ends_on_a_beat_of_real_time() -> None:
    await asyncio.sleep(to_beat(time.monotonic(), 0.2) + 0.13)  # off the beats
    for _ in range(3):
        await sleep_to_beat(0.2)
        assert time.monotonic() % 0.2 < 0.1  # late by the little the event loop takes
