import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.alarms import (
    AlarmError,
    AlarmManager,
    AlarmPolicy,
    AlarmState,
    AlarmTransition,
    Priority,
    Signature,
)

S = AlarmState
MIN = 60 * 1_000_000_000
ANNE = Signature("anne", "Anne Martin", "acknowledged", "door closed, milk checked")


def raise_(m: AlarmManager, ts: int, key: str = "band:F1", active: bool = True) -> list[str]:
    transitions, notes = m.condition(ts, key, active, "F1", Priority.HIGH, "fridge F1 at 6.2 °C")
    return [t.action for t in transitions] + [f"note:{n.reason}" for n in notes]


def test_isa_cycle_ack_then_clear() -> None:
    m = AlarmManager()
    assert raise_(m, 0) == ["raised", "note:raised"]
    assert m.alarms["band:F1"].state is S.UNACKED
    transitions, _ = m.acknowledge(1 * MIN, "band:F1", ANNE)
    assert transitions[0].fields()["printed_name"] == "Anne Martin"
    assert m.alarms["band:F1"].state is S.ACKED
    assert raise_(m, 2 * MIN, active=False) == ["cleared", "note:cleared"]
    assert m.alarms["band:F1"].state is S.NORMAL


def test_cleared_before_ack_stays_until_acknowledged() -> None:
    m = AlarmManager()
    raise_(m, 0)
    raise_(m, MIN, active=False)
    assert m.alarms["band:F1"].state is S.RTN_UNACKED
    m.acknowledge(2 * MIN, "band:F1", ANNE)
    assert m.alarms["band:F1"].state is S.NORMAL
    with pytest.raises(AlarmError, match="nothing to acknowledge"):
        m.acknowledge(3 * MIN, "band:F1", ANNE)


def test_unknown_alarm_is_a_clear_error() -> None:
    with pytest.raises(AlarmError, match="unknown alarm 'nope'"):
        AlarmManager().acknowledge(0, "nope", ANNE)


def test_shelve_is_bounded_needs_reason_and_expires() -> None:
    m = AlarmManager(AlarmPolicy(max_shelve_s=3600))
    raise_(m, 0)
    no_reason = Signature("bob", "Bob", "shelved", " ")
    with pytest.raises(AlarmError, match="needs a reason"):
        m.shelve(0, "band:F1", 30 * MIN, no_reason)
    reason = Signature("bob", "Bob", "shelved", "defrost maintenance")
    with pytest.raises(AlarmError, match="within 1 h"):
        m.shelve(0, "band:F1", 61 * MIN, reason)
    m.shelve(0, "band:F1", 30 * MIN, reason)
    assert m.alarms["band:F1"].state is S.SHELVED
    assert raise_(m, MIN, active=False) == []  # tracked, not announced
    assert raise_(m, 2 * MIN, active=True) == []
    transitions, notes = m.tick(30 * MIN)
    assert [t.action for t in transitions] == ["unshelved"]
    assert transitions[0].detail == "shelve expired"
    assert m.alarms["band:F1"].state is S.UNACKED  # still active: announced again
    assert [n.reason for n in notes] == ["raised"]


def test_out_of_service_and_back() -> None:
    m = AlarmManager()
    raise_(m, 0)
    sig = Signature("sup", "Dr Sup", "out of service", "probe replaced")
    m.remove_from_service(MIN, "band:F1", sig)
    raise_(m, 2 * MIN, active=False)
    m.return_to_service(3 * MIN, "band:F1", sig)
    assert m.alarms["band:F1"].state is S.NORMAL


def test_unacknowledged_alarm_renotifies_and_escalates() -> None:
    m = AlarmManager(AlarmPolicy(escalate_after_s=900, renotify_s=300))
    raise_(m, 0)
    assert m.tick(4 * MIN) == ([], [])
    _, notes = m.tick(5 * MIN)
    assert [n.reason for n in notes] == ["renotify"]
    transitions, notes = m.tick(15 * MIN)
    assert [t.action for t in transitions] == ["escalated"]
    assert notes[0].escalation_level == 1
    m.acknowledge(16 * MIN, "band:F1", ANNE)
    assert m.tick(60 * MIN) == ([], [])


def test_flood_groups_notifications() -> None:
    m = AlarmManager(AlarmPolicy(flood_count=10, flood_window_s=600, flood_flush_s=60))
    reasons = []
    for i in range(15):
        reasons += raise_(m, i * 1_000_000_000, key=f"stale:p{i}")
    notes = [r for r in reasons if r.startswith("note:")]
    assert notes.count("note:raised") == 10
    assert notes.count("note:flood") == 1
    assert m.in_flood()
    _, later = m.tick(2 * MIN)
    assert [n.reason for n in later] == ["flood"]
    assert len(later[0].alarms) == 4  # the 12th..15th, grouped


def test_replay_rebuilds_the_same_states() -> None:
    live = AlarmManager()
    log: list[AlarmTransition] = []
    log += live.condition(0, "a", True, "F1", Priority.HIGH, "m")[0]
    log += live.condition(0, "b", True, "F2", Priority.LOW, "m")[0]
    log += live.acknowledge(MIN, "a", ANNE)[0]
    log += live.condition(2 * MIN, "b", False, "F2", Priority.LOW, "m")[0]
    restored = AlarmManager()
    restored.replay(log, shelved_until={})
    for key in ("a", "b"):
        assert restored.alarms[key].state == live.alarms[key].state
        assert restored.alarms[key].condition_active == live.alarms[key].condition_active
    assert restored.alarms["a"].acked_by == ANNE


def test_a_replayed_alarm_says_what_it_last_said() -> None:
    live = AlarmManager()
    log: list[AlarmTransition] = []
    log += live.condition(0, "band:F2", True, "F2", Priority.HIGH, "9.00 °C gross")[0]
    log += live.condition(MIN, "band:F2", False, "F2", Priority.HIGH, "9.00 °C gross")[0]
    log += live.acknowledge(2 * MIN, "band:F2", ANNE)[0]
    log += live.condition(3 * MIN, "band:F2", True, "F2", Priority.CRITICAL, "out 0:10:00")[0]
    restored = AlarmManager()
    restored.replay(log, shelved_until={})
    assert restored.alarms["band:F2"].message == live.alarms["band:F2"].message == "out 0:10:00"
    assert restored.alarms["band:F2"].priority is Priority.CRITICAL


ops = st.lists(
    st.tuples(st.sampled_from(["on", "off", "ack", "tick"]), st.sampled_from(["a", "b"])),
    max_size=40,
)


@given(ops)
def test_any_sequence_keeps_states_consistent(sequence: list[tuple[str, str]]) -> None:
    m = AlarmManager()
    for i, (op, key) in enumerate(sequence):
        ts = i * MIN
        if op in ("on", "off"):
            m.condition(ts, key, op == "on", "src", Priority.MEDIUM, "msg")
        elif op == "ack":
            if key in m.alarms and m.alarms[key].needs_ack:
                m.acknowledge(ts, key, ANNE)
            else:
                with pytest.raises(AlarmError):
                    m.acknowledge(ts, key, ANNE)
        else:
            m.tick(ts)
        for alarm in m.alarms.values():
            if alarm.state in (S.UNACKED, S.ACKED):
                assert alarm.condition_active
            if alarm.state in (S.NORMAL, S.RTN_UNACKED):
                assert not alarm.condition_active
