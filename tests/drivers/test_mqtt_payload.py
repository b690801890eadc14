import json
import math
import tomllib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.mqtt_presets import PRESETS, MqttPreset
from config.probes import MqttSource, Probe
from drivers.mqtt_payload import (
    MAX_PAYLOAD_BYTES,
    MessageIgnored,
    PayloadParser,
    PayloadRejected,
    RejectReason,
    Temperature,
    compile_json_path,
)


def source(fmt: str = "number", **extra: Any) -> MqttSource:
    return MqttSource.model_validate({"kind": "mqtt", "topic": "t", "format": fmt, **extra})


def parse(payload: bytes, fmt: str = "number", **extra: Any) -> Temperature:
    return PayloadParser(source(fmt, **extra)).parse(payload)


def reason(payload: bytes, fmt: str = "number", **extra: Any) -> RejectReason:
    with pytest.raises(PayloadRejected) as caught:
        parse(payload, fmt, **extra)
    assert str(caught.value).startswith(f"t: {caught.value.reason}: ")
    return caught.value.reason


# --- good payloads, each style ------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "value"),
    [(b"3.2", 3.2), (b" -18.75\n", -18.75), (b"4", 4.0), (b"+1e1", 10.0), (b".5", 0.5)],
)
def test_plain_numbers(payload: bytes, value: float) -> None:
    assert parse(payload) == Temperature(value, None)


def test_tasmota_with_declared_unit() -> None:
    payload = (
        b'{"Time":"2026-05-01T10:00:00","DS18B20":{"Id":"01","Temperature":3.2},"TempUnit":"C"}'
    )
    assert parse(payload, "tasmota") == Temperature(3.2, "C")
    fahrenheit = payload.replace(b"3.2", b"37.8").replace(b'"C"', b'"F"')
    assert parse(fahrenheit, "tasmota") == Temperature(37.8, "F")


def test_tasmota_named_sensor_and_missing_unit_falls_back_to_the_probe() -> None:
    payload = b'{"DS18B20-2":{"Temperature":-19.5}}'
    assert parse(payload, "tasmota", sensor="DS18B20-2") == Temperature(-19.5, None)


def test_zigbee2mqtt_is_always_celsius() -> None:
    payload = b'{"temperature":3.21,"battery":97,"linkquality":120,"humidity":40}'
    assert parse(payload, "zigbee2mqtt") == Temperature(3.21, "C")


def test_shelly_key_names_the_unit() -> None:
    payload = b'{"id":0,"tC":3.2,"tF":37.8}'
    assert parse(payload, "shelly") == Temperature(3.2, "C")
    assert parse(payload, "shelly", json_path="tF") == Temperature(37.8, "F")


def test_generic_json_path_with_list_indices_and_unit_path() -> None:
    payload = b'{"StatusSNS":{"sensors":[{"t":1.5},{"t":2.5,"u":"\xc2\xb0F"}]}}'
    parsed = parse(
        payload, "json", json_path="StatusSNS.sensors[1].t", unit_path="StatusSNS.sensors[1].u"
    )
    assert parsed == Temperature(2.5, "F")
    assert parse(b"[[1, 7.25]]", "json", json_path="[0][1]") == Temperature(7.25, None)


def test_integers_and_lowercase_units() -> None:
    assert parse(b'{"x":{"T":-20},"U":"c"}', "json", json_path="x.T", unit_path="U") == (
        Temperature(-20.0, "C")
    )


# --- paths ---------------------------------------------------------------------------------


def test_compile_json_path() -> None:
    assert compile_json_path("a.b[0][2].c") == ("a", "b", 0, 2, "c")
    assert compile_json_path("[1].DS18B20-1") == (1, "DS18B20-1")


@pytest.mark.parametrize("path", ["a..b", "a.", ".a", "a[x]", "a[0]b", "a]", "a.[0]", ""])
def test_bad_paths_are_refused_at_construction(path: str) -> None:
    with pytest.raises(ValueError, match=r"json_path"):
        compile_json_path(path)


def test_a_probe_with_a_bad_path_is_refused_with_the_settings() -> None:
    with pytest.raises(ValueError, match=r"json_path 'a\.\.b'"):
        source("json", json_path="a..b")


# --- every preset's documented payload, through the driver ---------------------------------

DOCUMENTED = {
    "number": Temperature(3.21, None),
    "json": Temperature(3.2, "C"),
    "tasmota": Temperature(3.2, "C"),
    "zigbee2mqtt": Temperature(3.4, "C"),
    "shelly_gen1": Temperature(3.25, None),
    "shelly_gen2": Temperature(3.1, "C"),
    "shelly": Temperature(3.1, "C"),
}


@pytest.mark.parametrize("preset", PRESETS.values(), ids=list(PRESETS))
def test_the_documented_payload_of_every_preset_parses(preset: MqttPreset) -> None:
    (block,) = tomllib.loads(preset.config)["probes"]
    documented = Probe.model_validate(block).source
    assert isinstance(documented, MqttSource)
    assert PayloadParser(documented).parse(preset.payload.encode()) == DOCUMENTED[preset.name]


# --- Tasmota: one or several DS18B20 ------------------------------------------------------

TWO_SENSORS = (
    b'{"Time":"2026-03-02T10:15:00","DS18B20-1":{"Id":"01144F2D3AAA","Temperature":3.2},'
    b'"DS18B20-2":{"Id":"0316A2794C0F","Temperature":-19.5},"TempUnit":"C"}'
)


def test_tasmota_single_sensor_and_several_by_name() -> None:
    single = b'{"DS18B20":{"Temperature":85.0},"TempUnit":"C"}'
    assert parse(single, "tasmota") == Temperature(85.0, "C")
    assert parse(TWO_SENSORS, "tasmota", sensor="DS18B20-2") == Temperature(-19.5, "C")
    assert reason(TWO_SENSORS, "tasmota") is RejectReason.MISSING_VALUE  # no "DS18B20"


def test_tasmota_sensor_id_catches_a_renumbered_bus() -> None:
    right = parse(TWO_SENSORS, "tasmota", sensor="DS18B20-2", sensor_id="0316a2794c0f")
    assert right == Temperature(-19.5, "C")
    with pytest.raises(PayloadRejected) as caught:
        parse(TWO_SENSORS, "tasmota", sensor="DS18B20-1", sensor_id="0316A2794C0F")
    assert caught.value.reason is RejectReason.WRONG_SENSOR
    assert caught.value.detail == (
        "DS18B20-1 is sensor 01144F2D3AAA, not 0316A2794C0F (Tasmota renumbers its sensors "
        "when one is added or lost)"
    )
    no_id = b'{"DS18B20-1":{"Temperature":3.2},"TempUnit":"C"}'
    assert reason(no_id, "tasmota", sensor="DS18B20-1", sensor_id="01") is (
        RejectReason.WRONG_SENSOR
    )


# --- Shelly --------------------------------------------------------------------------------


def test_shelly_gen1_is_a_bare_number() -> None:
    assert parse(b"3.25", "shelly_gen1") == Temperature(3.25, None)
    assert parse(b"-99.5", "shelly_gen1") == Temperature(-99.5, None)
    assert reason(b'{"tC":3.2}', "shelly_gen1") is RejectReason.NOT_A_NUMBER


def rpc(method: str, params: dict[str, Any]) -> bytes:
    src = "shellyplusht-08b61fcb7f3c"
    return json.dumps(
        {"src": src, "dst": f"{src}/events", "method": method, "params": params}
    ).encode()


def test_shelly_gen2_status_and_full_status() -> None:
    status = rpc("NotifyStatus", {"ts": 1.5, "temperature:0": {"id": 0, "tC": 3.1, "tF": 37.6}})
    assert parse(status, "shelly_gen2") == Temperature(3.1, "C")
    full = rpc(
        "NotifyFullStatus",
        {
            "ts": 1.5,
            "sys": {"uptime": 1000},
            "humidity:0": {"id": 0, "rh": 61.2},
            "temperature:0": {"id": 0, "tC": 3.0, "tF": 37.4},
            "temperature:100": {"id": 100, "tC": -19.4, "tF": -2.9},
        },
    )
    assert parse(full, "shelly_gen2") == Temperature(3.0, "C")
    assert parse(full, "shelly_gen2", sensor="temperature:100") == Temperature(-19.4, "C")
    in_f = parse(full, "shelly_gen2", json_path="params.temperature:100.tF")
    assert in_f == Temperature(-2.9, "F")


@pytest.mark.parametrize(
    "payload",
    [
        rpc("NotifyEvent", {"ts": 1.5, "events": [{"component": "sys", "event": "sleep"}]}),
        rpc("NotifyStatus", {"ts": 1.5, "humidity:0": {"id": 0, "rh": 60.1}}),
        rpc("NotifyStatus", {"ts": 1.5, "devicepower:0": {"id": 0, "battery": {"percent": 80}}}),
    ],
)
def test_shelly_gen2_messages_about_something_else_are_ignored(payload: bytes) -> None:
    with pytest.raises(MessageIgnored):
        parse(payload, "shelly_gen2")


def test_shelly_gen2_messages_that_should_hold_the_value_and_do_not_are_rejected() -> None:
    assert reason(b'{"params":{"temperature:0":{"tC":3.1}}}', "shelly_gen2") is (
        RejectReason.MISSING_VALUE
    )
    no_value = rpc("NotifyStatus", {"temperature:0": {"id": 0, "tC": None}})
    assert reason(no_value, "shelly_gen2") is RejectReason.MISSING_VALUE
    assert reason(rpc("NotifyStatus", {"temperature:0": 3.1}), "shelly_gen2") is (
        RejectReason.WRONG_TYPE
    )
    assert reason(b'{"method":7,"params":{}}', "shelly_gen2") is RejectReason.WRONG_TYPE


# --- bad payloads, hand-written --------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "fmt", "expected"),
    [
        (b"", "number", RejectReason.EMPTY),
        (b"  \r\n", "zigbee2mqtt", RejectReason.EMPTY),
        (b"1" * (MAX_PAYLOAD_BYTES + 1), "number", RejectReason.TOO_LARGE),
        (b"\xff\xfe3.2", "number", RejectReason.NOT_UTF8),
        (b"NaN", "number", RejectReason.NOT_FINITE),
        (b"-inf", "number", RejectReason.NOT_FINITE),
        (b"1e999", "number", RejectReason.NOT_FINITE),
        (b"3,2", "number", RejectReason.NOT_A_NUMBER),
        (b"true", "number", RejectReason.NOT_A_NUMBER),
        (b'"3.2"', "number", RejectReason.NOT_A_NUMBER),
        (b"\xd9\xa3", "number", RejectReason.NOT_A_NUMBER),  # an Arabic-Indic digit
        (b"0\x1f", "number", RejectReason.NOT_A_NUMBER),  # a control character is not a blank
        (b"online", "zigbee2mqtt", RejectReason.NOT_JSON),
        (b'{"temperature":3.2', "zigbee2mqtt", RejectReason.NOT_JSON),
        (b"[" * 5000 + b"]" * 5000, "zigbee2mqtt", RejectReason.NOT_JSON),
        (b'{"temperature":NaN}', "zigbee2mqtt", RejectReason.NOT_FINITE),
        (b'{"temperature":-Infinity}', "zigbee2mqtt", RejectReason.NOT_FINITE),
        (b'{"temperature":1e400}', "zigbee2mqtt", RejectReason.NOT_FINITE),
        (b'{"temperature":' + b"9" * 400 + b"}", "zigbee2mqtt", RejectReason.NOT_FINITE),
        (b'{"temperature":3.2,"temperature":99}', "zigbee2mqtt", RejectReason.DUPLICATE_KEY),
        (b'{"battery":97}', "zigbee2mqtt", RejectReason.MISSING_VALUE),
        (b'{"temperature":null}', "zigbee2mqtt", RejectReason.MISSING_VALUE),
        (b'{"temperature":true}', "zigbee2mqtt", RejectReason.WRONG_TYPE),
        (b'{"temperature":"3.2"}', "zigbee2mqtt", RejectReason.WRONG_TYPE),
        (b'{"temperature":[3.2]}', "zigbee2mqtt", RejectReason.WRONG_TYPE),
        (b"[3.2]", "zigbee2mqtt", RejectReason.WRONG_TYPE),
        (b"3.2", "zigbee2mqtt", RejectReason.WRONG_TYPE),
        (b'{"DS18B20":[1]}', "tasmota", RejectReason.WRONG_TYPE),
        (b'{"DS18B20":{"Temperature":3.2},"TempUnit":"K"}', "tasmota", RejectReason.UNKNOWN_UNIT),
        (b'{"DS18B20":{"Temperature":3.2},"TempUnit":1}', "tasmota", RejectReason.UNKNOWN_UNIT),
        (b'{"DS18B20":{"Temperature":3.2},"TempUnit":""}', "tasmota", RejectReason.UNKNOWN_UNIT),
        (b'{"id":0,"tF":37.8}', "shelly", RejectReason.MISSING_VALUE),
    ],
)
def test_bad_payloads_are_rejected_with_their_reason(
    payload: bytes, fmt: str, expected: RejectReason
) -> None:
    assert reason(payload, fmt) is expected


def test_a_rejection_names_the_topic_and_shows_a_short_sample() -> None:
    with pytest.raises(PayloadRejected) as caught:
        parse(b'{"battery":97,"padding":"' + b"x" * 5000 + b'"}', "zigbee2mqtt")
    message = str(caught.value)
    assert message.startswith("t: missing value: no temperature in ")
    assert len(message) < 200


# --- generated bad payloads: 1,200 of them, each refused with its reason -------------------

JSON_STYLES = ("zigbee2mqtt", "tasmota", "shelly")
PATH_OF = {
    "zigbee2mqtt": ("temperature",),
    "tasmota": ("DS18B20", "Temperature"),
    "shelly": ("tC",),
}


def _nest(path: tuple[str, ...], leaf: object) -> object:
    for key in reversed(path):
        leaf = {key: leaf}
    return leaf


NUMBER_CHARACTERS = set("0123456789.+-eE \t\r\n")


def _surely_not_a_number(text: str) -> bool:
    """Text with a character no number has, and not a spelling of NaN or infinity."""
    spelled = text.strip(" \t\r\n").lower().lstrip("+-") in {"nan", "inf", "infinity"}
    return any(c not in NUMBER_CHARACTERS for c in text) and not spelled


non_numeric_text = st.text(max_size=40).filter(_surely_not_a_number)
wrong_leaves = st.one_of(
    st.booleans(),
    st.text(max_size=10),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
invalid_utf8 = st.binary(min_size=1, max_size=60).filter(lambda b: not _decodes(b))


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@st.composite
def bad_payloads(draw: st.DrawFn) -> tuple[bytes, str, RejectReason]:
    kind = draw(st.sampled_from(list(RejectReason)))
    style = draw(st.sampled_from(JSON_STYLES))
    path = PATH_OF[style]
    if kind is RejectReason.EMPTY:
        return draw(st.sampled_from([b"", b" ", b"\n", b"\t \r\n"])), style, kind
    if kind is RejectReason.TOO_LARGE:
        size = draw(st.integers(MAX_PAYLOAD_BYTES + 1, MAX_PAYLOAD_BYTES * 4))
        return b"7" * size, "number", kind
    if kind is RejectReason.NOT_UTF8:
        return draw(invalid_utf8), draw(st.sampled_from(["number", *JSON_STYLES])), kind
    if kind is RejectReason.NOT_JSON:
        text = draw(
            st.text(min_size=1, max_size=40).filter(lambda t: t.strip() != "" and _not_json(t))
        )
        return text.encode(), style, kind
    if kind is RejectReason.DUPLICATE_KEY:
        key = path[-1]
        a, b = draw(st.floats(-50, 50)), draw(st.floats(-50, 50))
        inner = f'{{"{key}":{a!r},"{key}":{b!r}}}'
        for outer in reversed(path[:-1]):
            inner = f'{{"{outer}":{inner}}}'
        return inner.encode(), style, kind
    if kind is RejectReason.NOT_A_NUMBER:
        return draw(non_numeric_text).encode(), "number", kind
    if kind is RejectReason.NOT_FINITE:
        if draw(st.booleans()):
            word = draw(st.sampled_from(["NaN", "nan", "inf", "-inf", "Infinity", "+INF", "1e400"]))
            return word.encode(), "number", kind
        constant = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-2e308"]))
        return json.dumps(_nest(path, "@")).replace('"@"', constant).encode(), style, kind
    if kind is RejectReason.MISSING_VALUE:
        extra = draw(st.dictionaries(st.sampled_from(["battery", "id", "tF", "x"]), st.integers()))
        leaf = draw(st.sampled_from([None, "omit"]))
        document = _nest(path[:-1], extra) if leaf == "omit" else _nest(path, None)
        return json.dumps(document).encode(), style, kind
    if kind is RejectReason.WRONG_TYPE:
        return json.dumps(_nest(path, draw(wrong_leaves))).encode(), style, kind
    unit = draw(st.one_of(st.text(max_size=4), st.integers(), st.booleans(), st.none()))
    assume_unit = not (isinstance(unit, str) and unit.strip().lstrip("°").upper() in ("C", "F"))
    document = {"DS18B20": {"Temperature": 3.5}, "TempUnit": unit if assume_unit else "kelvin"}
    return json.dumps(document).encode(), "tasmota", RejectReason.UNKNOWN_UNIT


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


@settings(max_examples=1200, deadline=None)
@given(case=bad_payloads())
def test_generated_bad_payloads_are_each_rejected_with_their_reason(
    case: tuple[bytes, str, RejectReason],
) -> None:
    payload, fmt, expected = case
    assert reason(payload, fmt) is expected


@settings(max_examples=500, deadline=None)
@given(
    payload=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
            lambda children: (
                st.lists(children, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["temperature", "tC", "DS18B20", "Temperature", "TempUnit"]),
                    children,
                    max_size=3,
                )
            ),
            max_leaves=10,
        ).map(lambda d: json.dumps(d).encode()),
    ),
    fmt=st.sampled_from(list(PRESETS)),
)
def test_any_payload_gives_a_finite_number_or_a_reasoned_rejection(
    payload: bytes, fmt: str
) -> None:
    extra = {"json_path": "temperature"} if fmt == "json" else {}
    outcome: Temperature | RejectReason | None
    try:
        outcome = parse(payload, fmt, **extra)
    except PayloadRejected as exc:
        outcome = exc.reason
    except MessageIgnored:
        assert fmt == "shelly_gen2"
        outcome = None
    if isinstance(outcome, Temperature):
        assert math.isfinite(outcome.value)
        assert outcome.unit in (None, "C", "F")
    elif outcome is not None:
        assert outcome in list(RejectReason)
