"""``lactamon verify --against influx|mqtt`` with the heads a unit published to a real InfluxDB
1.6 and a real Mosquitto: a rewrite made with the device's own key after its heads went out
passes plain verification and fails against the published heads."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from pathlib import Path

import aiomqtt
import pytest

from monitor.cli.main import main
from monitor.influx.tags import Tagger
from monitor.influx.writer_v1 import InfluxV1Writer
from monitor.journal import JournalReader, Record, export_lot_bundle, generate_key_file
from monitor.journal.bundle import read_bundle, write_bundle
from monitor.journal.bundle_signing import sign_header
from monitor.journal.head_messages import head_message, head_topic
from monitor.journal.keys import DeviceKey
from monitor.journal.signing import SIGNED_KINDS
from tests.fixtures.influxdb import InfluxServer
from tests.fixtures.mosquitto import MosquittoBroker
from tests.monitor.journal.forgery import new_value, rewrite_journal
from tests.monitor.journal.lot_samples import FRIDGE, LOT, build_lot_journal

SITE, DEVICE = "lab", "pi-1"
PREFIX = f"lactamon/{SITE}/{DEVICE}"


@dataclass
class Unit:
    config: Path
    journal: Path
    key: DeviceKey
    records: list[Record]


async def _publish(influx: InfluxServer, database: str, broker: MosquittoBroker,
                   records: list[Record]) -> None:  # fmt: skip
    """What the daemon sends: every record to InfluxDB, every head retained on the broker;
    and a head of another unit in each, which must be left out."""
    stranger = replace(next(r for r in records if r.kind in SIGNED_KINDS), stream="lot:L9999-1")
    ours = InfluxV1Writer(influx.url, database, Tagger(SITE, DEVICE, {}))
    theirs = InfluxV1Writer(influx.url, database, Tagger(SITE, "pi-2", {}))
    try:
        await ours.write(records)
        await theirs.write([stranger])
    finally:
        await ours.close()
        await theirs.close()
    async with aiomqtt.Client(broker.host, broker.port) as client:
        for record in [r for r in records if r.kind in SIGNED_KINDS]:
            payload = json.dumps(head_message(record, SITE, DEVICE))
            await client.publish(f"{PREFIX}/{head_topic(record.stream)}", payload, retain=True)
        payload = json.dumps(head_message(stranger, SITE, "pi-2"))
        await client.publish(f"{PREFIX}/{head_topic(stranger.stream)}", payload, retain=True)


@pytest.fixture
def unit(
    tmp_path: Path, influxdb: InfluxServer, influxdb_database: str, mosquitto: MosquittoBroker
) -> Unit:
    key = generate_key_file(tmp_path / "device.key")
    journal = tmp_path / "journal.sqlite"
    build_lot_journal(journal, key)
    with JournalReader(journal) as reader:
        records = [record for _, record in reader.records_after(0, 100_000)]
    asyncio.run(_publish(influxdb, influxdb_database, mosquitto, records))
    config = tmp_path / "lactamon.toml"
    config.write_text(
        f'[site]\nid = "{SITE}"\ndevice = "{DEVICE}"\n'
        f'[journal]\npath = "{journal}"\n[signing]\nkey_file = "{tmp_path / "device.key"}"\n'
        f'[influxdb]\nenabled = true\nurl = "{influxdb.url}"\ndatabase = "{influxdb_database}"\n'
        f'[mqtt]\nhost = "{mosquitto.host}"\nport = {mosquitto.port}\n'
    )
    return Unit(config, journal, key, records)


def verify(unit: Unit, *args: str) -> int:
    return main(["verify", "--config", str(unit.config), "--key-id", unit.key.key_id, *args])


def test_the_journal_holds_every_head_it_published(
    unit: Unit, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify(unit, "--against", "influx", "--against", "mqtt") == 0
    out = capsys.readouterr().out
    assert "published head(s) found in the journal" in out
    assert "L9999" not in out


def test_a_same_key_rewrite_fails_against_the_published_heads(
    unit: Unit, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rewritten = tmp_path / "rewritten.sqlite"
    rewrite_journal(unit.journal, rewritten, unit.key, FRIDGE, 4, new_value(11.5))
    head = [r for r in unit.records if r.stream == FRIDGE and r.kind in SIGNED_KINDS][-1]
    assert verify(unit, "--journal", str(rewritten)) == 0
    capsys.readouterr()
    for witness in ("influx", "mqtt"):
        assert verify(unit, "--journal", str(rewritten), "--against", witness) == 1
        out = capsys.readouterr().out
        assert (
            f"stream {FRIDGE}: published head #{head.seq} {head.hash.hex()[:16]}… is not in the "
            "journal: rewritten after it was published"
        ) in out
        assert f"rewritten      {FRIDGE}#{head.seq}" in out


def test_a_bundle_cut_after_a_published_head_has_missing_records(
    unit: Unit, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "lot.jsonl"
    export_lot_bundle(unit.journal, LOT, bundle, key=unit.key)
    assert verify(unit, "--bundle", str(bundle), "--against", "influx") == 0
    header, entries = read_bundle(bundle)
    kept = [e for e in entries if isinstance(e, Record) and not (e.stream == FRIDGE and e.seq > 9)]
    ninth = next(e for e in kept if e.stream == FRIDGE and e.seq == 9)
    cut = tmp_path / "cut.jsonl"
    heads = {**header.heads, FRIDGE: (9, ninth.hash.hex())}
    write_bundle(cut, sign_header(replace(header, heads=heads), unit.key), iter([kept]))
    assert verify(unit, "--bundle", str(cut)) == 0
    capsys.readouterr()
    assert verify(unit, "--bundle", str(cut), "--against", "mqtt") == 1
    out = capsys.readouterr().out
    assert f"missing        {FRIDGE}#10.." in out
    assert "missing records" in out


def test_records_read_from_influxdb_trust_the_key_file_only_when_pinned(
    unit: Unit, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["verify", "--config", str(unit.config), "--influx", "--stream", FRIDGE]
    assert main(args) == 3
    assert "INTACT, SIGNER NOT ESTABLISHED" in capsys.readouterr().out
    assert main([*args, "--key-id", unit.key.key_id]) == 0
    assert main([*args, "--key-id", "0123456789abcdef"]) == 1
