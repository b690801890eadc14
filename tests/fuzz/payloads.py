"""Fuzz target: generated MQTT payloads through each preset's parser, then qualified.

Rules: the parser raises nothing but its documented refusals (``PayloadRejected``,
``MessageIgnored``); a payload that is not a well-formed payload of the preset yields no
reading at all, so never one of quality ok; a well-formed one gives the value and unit it
carries. Whether a payload is well-formed is the oracle's call (``payload_oracle``); garbage
made by construction must be garbage to the oracle too, which keeps the oracle honest.
"""

from __future__ import annotations

import random
import tomllib

from config.mqtt_presets import PRESETS, MqttPreset
from config.probes import MqttSource, Probe
from drivers.conversion import make_reading
from drivers.mqtt_payload import MessageIgnored, PayloadParser, PayloadRejected, Temperature
from monitor.reading import Quality
from tests.fuzz.figures import Figures
from tests.fuzz.payload_cases import Cases
from tests.fuzz.payload_oracle import Expect, expect

FULL_COUNT = 10_000
TS = 1_795_680_000_000_000_000


def documented_probe(preset: MqttPreset) -> Probe:
    """The probe of the preset's own settings block, as the README shows it."""
    (block,) = tomllib.loads(preset.config)["probes"]
    return Probe.model_validate(block)


def run(count: int, seed: int) -> list[Figures]:
    """``count`` payloads for each preset; one ``Figures`` per preset."""
    return [run_preset(preset, count, seed) for preset in PRESETS.values()]


def run_preset(preset: MqttPreset, count: int, seed: int) -> Figures:
    probe = documented_probe(preset)
    source = probe.source
    assert isinstance(source, MqttSource)
    cases = Cases(source, preset.payload)
    parser = PayloadParser(source)
    figures = Figures(f"mqtt payloads, preset {preset.name}", seed)
    rng = random.Random(f"{seed}/{preset.name}")
    for _ in range(count):
        roll = rng.random()
        if roll < 0.25:
            kind, payload, constructed = "well_formed", cases.well_formed(rng), False
        elif roll < 0.7:
            (kind, payload), constructed = cases.garbage(rng), True
        else:
            kind = rng.choice(["random_bytes", "token_soup", "mutated"])
            payload, constructed = getattr(cases, kind)(rng), False
        _check(figures, probe, parser, kind, payload, expect(source, payload), constructed)
    return figures


def _check(
    figures: Figures,
    probe: Probe,
    parser: PayloadParser,
    kind: str,
    payload: bytes,
    wanted: Expect,
    constructed: bool,
) -> None:
    figures.count("payloads", f"case {kind}", f"oracle {wanted.verdict}")
    if constructed and wanted.verdict == "reading":
        figures.fail("constructed garbage the oracle reads", kind, payload, str(wanted))
    try:
        got: Temperature | str = parser.parse(payload)
    except PayloadRejected as exc:
        got = "garbage"
        figures.count(f"rejected: {exc.reason}")
    except MessageIgnored:
        got = "ignored"
        figures.count("ignored")
    except Exception as exc:
        figures.fail("crash", kind, payload, f"{type(exc).__name__}: {exc}")
        return
    if isinstance(got, Temperature):
        reading = make_reading(probe, got.value, TS, got.unit)
        figures.count(f"reading {reading.quality}")
        if wanted.verdict != "reading":
            figures.fail("reading from garbage", kind, payload, f"{got} ({wanted.why})")
            if reading.quality is Quality.OK:
                figures.fail("ok reading from garbage", kind, payload, f"{got} ({wanted.why})")
        elif (got.value, got.unit) != (wanted.value, wanted.unit):
            figures.fail("wrong value", kind, payload, f"{got}, expected {wanted}")
    elif wanted.verdict == "reading":
        figures.fail("well-formed payload refused", kind, payload, f"{got}; expected {wanted}")
    elif got != wanted.verdict:
        figures.fail("ignored and refused mixed up", kind, payload, f"{got}; oracle {wanted}")
