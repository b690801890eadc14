import logging

import pytest

from config.loading import validate_mapping
from monitor.influx.tags import StreamLots, Tagger, roles_from_settings, tagger_from_settings
from tests.monitor.influx.records import T0, chained

CYCLE = "cycle:P1:2026-11-21T08:00:00Z"


def test_stream_tags() -> None:
    tagger = Tagger("lab", "pi-1", {"T1": "reference"})
    assert tagger.context_tags(CYCLE, "T1") == {
        "site": "lab",
        "device": "pi-1",
        "equipment": "P1",
        "cycle": "P1:2026-11-21T08:00:00Z",
        "role": "reference",
    }
    assert tagger.context_tags("enclosure:F1:2026-11-21", "T9") == {
        "site": "lab",
        "device": "pi-1",
        "equipment": "F1",
    }
    assert tagger.context_tags("lot:L2026-001", None)["lots"] == "L2026-001"
    assert tagger.context_tags("device", None) == {"site": "lab", "device": "pi-1"}


def test_lots_are_learned_from_cycle_started_and_cycle_linked() -> None:
    lots = StreamLots()
    tagger = Tagger("lab", "pi-1", lots=lots)
    lots.learn(chained(CYCLE, 1, T0, "cycle_started", {"lots": "L2026-002,L2026-001"}))
    assert tagger.context_tags(CYCLE, None)["lots"] == "L2026-001,L2026-002"
    version = tagger.version
    lots.learn(chained("lot:L2026-003", 4, T0, "cycle_linked", {"cycle": CYCLE}))
    assert tagger.version > version
    assert tagger.context_tags(CYCLE, None)["lots"] == "L2026-001,L2026-002,L2026-003"
    lots.learn(chained("lot:L2026-003", 5, T0, "cycle_linked", {"cycle": CYCLE}))
    assert lots.of(CYCLE) == {"L2026-001", "L2026-002", "L2026-003"}


def test_lots_that_cannot_be_tags_are_left_out_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lots = StreamLots()
    with caplog.at_level(logging.WARNING):
        lots.add(CYCLE, ["L1", "bad\\lot", " ", ""])
    assert lots.of(CYCLE) == {"L1"}
    assert "bad\\\\lot" in caplog.text


@pytest.mark.parametrize(("site", "device"), [("", "pi"), ("lab", "pi\\1"), ("lab", "a\nb")])
def test_site_and_device_must_be_tags(site: str, device: str) -> None:
    with pytest.raises(ValueError, match="cannot be an InfluxDB tag"):
        Tagger(site, device)


def test_roles_must_be_tags() -> None:
    with pytest.raises(ValueError, match="role 'a\\\\\\\\b' of probe 'T1'"):
        Tagger("lab", "pi", {"T1": "a\\b"})


def test_roles_from_settings() -> None:
    settings = validate_mapping(
        {
            "site": {"id": "lactarium-x"},
            "probes": [
                {"id": p, "source": {"kind": "mqtt", "topic": f"t/{p}"}}
                for p in ("bath", "milk", "fridge1")
            ],
            "mqtt": {"host": "127.0.0.1"},
            "pasteurisers": [
                {
                    "id": "P1",
                    "probes": [
                        {"probe": "bath", "role": "bath"},
                        {"probe": "milk", "role": "reference"},
                    ],
                }
            ],
            "enclosures": [
                {"id": "F1", "kind": "fridge", "probes": ["fridge1"], "band": {"low": 0, "high": 4}}
            ],
        },
        "test",
    )
    assert roles_from_settings(settings) == {
        "bath": "bath",
        "milk": "reference",
        "fridge1": "fridge",
    }
    tagger = tagger_from_settings(settings, "pi-7")
    assert tagger.context_tags("enclosure:F1:2026-11-21", "fridge1")["site"] == "lactarium-x"
    assert tagger.context_tags("enclosure:F1:2026-11-21", "fridge1")["role"] == "fridge"
