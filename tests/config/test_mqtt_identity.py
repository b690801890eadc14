"""Each unit on a shared broker has its own client id and topics, unless set by hand, and
``config check`` warns about a hand-set one that another unit could share."""

from __future__ import annotations

from config.settings import settings_from_mapping
from monitor.cli.config_cmd import mqtt_identity_warnings


def unit(device: str, **mqtt: str) -> dict[str, object]:
    return {"site": {"id": "lyon", "device": device}, "mqtt": {"host": "127.0.0.1", **mqtt}}


def test_two_units_of_one_site_get_their_own_identity() -> None:
    a = settings_from_mapping(unit("pi-a")).mqtt
    b = settings_from_mapping(unit("pi-b")).mqtt
    assert a is not None
    assert b is not None
    assert (a.client_id, a.prefix) == ("lactamon-lyon-pi-a", "lactamon/lyon/pi-a")
    assert a.client_id != b.client_id
    assert a.prefix != b.prefix


def test_a_hand_set_identity_is_kept_and_warned_about_when_it_does_not_name_the_unit() -> None:
    shared = settings_from_mapping(unit("pi-a", client_id="lactamon", topic_prefix="lab"))
    assert shared.mqtt is not None
    assert shared.mqtt.client_id == "lactamon"
    found = mqtt_identity_warnings(shared)
    assert [w.split(" ")[0] for w in found] == ["mqtt.client_id", "mqtt.topic_prefix"]
    own = settings_from_mapping(unit("pi-a", client_id="lab-pi-a", topic_prefix="lab/pi-a"))
    assert mqtt_identity_warnings(own) == []
