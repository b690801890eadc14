"""The v2 write path (influxdb-client) against VictoriaMetrics, which speaks /api/v2/write.

VictoriaMetrics keeps numeric fields only (``<measurement>_<field>``, tags as labels, times
in milliseconds): these tests count points and check numbers; the exact round trip of every
field type is shown against InfluxDB 1.6 with the same lines (test_reader_v1).
"""

import itertools
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from monitor.influx.errors import FailureKind, InfluxWriteError
from monitor.influx.schema import SLOT_NS
from monitor.influx.tags import Tagger
from monitor.influx.writer_v2 import InfluxV2Writer
from tests.fixtures.influxdb import InfluxServer
from tests.fixtures.ports import free_port
from tests.fixtures.victoria_metrics import VictoriaMetricsServer
from tests.monitor.influx.http_stub import http_stub, silent_server
from tests.monitor.influx.records import cycle_records

_sites = itertools.count()


@pytest.fixture
def site() -> str:
    """A site id of this test alone: its label keeps the test's series apart."""
    return f"v2-test-{next(_sites)}"


@pytest.fixture
async def writer(
    victoria_metrics: VictoriaMetricsServer, site: str
) -> AsyncIterator[InfluxV2Writer]:
    tagger = Tagger(site, "pi-1", {"T-ref": "reference", "T-bath": "bath"})
    writer = InfluxV2Writer(
        victoria_metrics.url, "lab-org", "lactamon", "token", tagger, batch_size=7
    )
    yield writer
    await writer.close()


async def test_points_arrive_with_their_values(
    writer: InfluxV2Writer, victoria_metrics: VictoriaMetricsServer, site: str
) -> None:
    records = cycle_records(readings=30)
    await writer.write(records)
    readings = [r for r in records if r.kind == "reading"]
    events = [r for r in records if r.kind != "reading"]
    selector = f'{{__name__="lactamon_reading_value",site="{site}"}}'
    series = victoria_metrics.wait_for_samples(selector, len(readings))
    by_probe = {s["metric"]["probe"]: s for s in series}
    assert set(by_probe) == {"T-ref", "T-bath"}
    assert by_probe["T-ref"]["metric"]["role"] == "reference"
    assert by_probe["T-ref"]["metric"]["lots"] == "L2026-001"
    for probe, exported in by_probe.items():
        expected = [r for r in readings if r.fields["probe"] == probe]
        assert exported["values"] == [r.fields["value"] for r in expected]
        assert exported["timestamps"] == [r.ts // SLOT_NS for r in expected]
    seqs = victoria_metrics.wait_for_samples(
        f'{{__name__="lactamon_reading_seq",site="{site}"}}', len(readings)
    )
    assert sorted(v for s in seqs for v in s["values"]) == [r.seq for r in readings]
    heads = victoria_metrics.export(f'{{__name__="lactamon_head_head_seq",site="{site}"}}')
    assert [v for s in heads for v in s["values"]] == [events[-1].fields["head_seq"]]
    event_seqs = victoria_metrics.export(f'{{__name__="lactamon_event_seq",site="{site}"}}')
    assert sum(len(s["values"]) for s in event_seqs) == len(events) - 1


async def test_ping(writer: InfluxV2Writer) -> None:
    assert isinstance(await writer.ping(), str)


async def test_a_server_without_the_v2_api_is_named(influxdb: InfluxServer) -> None:
    writer = InfluxV2Writer(influxdb.url, "", "lactamon", "token", Tagger("lab", "pi-1"))
    try:
        with pytest.raises(InfluxWriteError) as caught:
            await writer.write(cycle_records()[:2])
    finally:
        await writer.close()
    error = caught.value
    assert (error.kind, error.retryable, error.status) == (FailureKind.NOT_FOUND, False, 404)
    assert 'api = "v1" for InfluxDB 1.x' in str(error)
    assert "org '-', bucket 'lactamon'" in str(error)


async def test_nothing_listening_is_retryable() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    writer = InfluxV2Writer(url, "org", "lactamon", "token", Tagger("lab", "pi-1"))
    try:
        with pytest.raises(InfluxWriteError, match="cannot connect") as caught:
            await writer.write(cycle_records()[:2])
        with pytest.raises(InfluxWriteError, match="cannot connect"):
            await writer.ping()
    finally:
        await writer.close()
    assert (caught.value.kind, caught.value.retryable) == (FailureKind.CONNECTION, True)


@pytest.mark.parametrize(
    ("status", "body", "kind", "retryable", "words"),
    [
        (
            401,
            '{"code":"unauthorized","message":"unauthorized access"}',
            FailureKind.AUTH,
            False,
            "authentication failed (HTTP 401) for the configured token: unauthorized access",
        ),
        (
            404,
            '{"code":"not found","message":"bucket \\"x\\" not found"}',
            FailureKind.NOT_FOUND,
            False,
            'bucket "x" not found',
        ),
        (
            422,
            '{"code":"invalid","message":"points beyond retention policy"}',
            FailureKind.REJECTED,
            False,
            "points beyond retention policy",
        ),
        (503, "", FailureKind.SERVER, True, "(HTTP 503)"),
    ],
)
async def test_v2_answers(
    status: int, body: str, kind: FailureKind, retryable: bool, words: str
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, text=body, content_type="application/json")

    async with http_stub(answer) as url:
        writer = InfluxV2Writer(url, "org", "bucket", "secret-token", Tagger("lab", "pi-1"))
        try:
            with pytest.raises(InfluxWriteError) as caught:
                await writer.write(cycle_records()[:2])
        finally:
            await writer.close()
    assert (caught.value.kind, caught.value.retryable) == (kind, retryable)
    assert words in str(caught.value)
    assert "secret-token" not in str(caught.value)


async def test_v2_no_answer_is_a_retryable_timeout() -> None:
    async with silent_server() as url:
        writer = InfluxV2Writer(url, "org", "b", "t", Tagger("lab", "pi-1"), timeout_s=0.3)
        try:
            with pytest.raises(InfluxWriteError, match="no answer in time") as caught:
                await writer.write(cycle_records()[:2])
        finally:
            await writer.close()
    assert (caught.value.kind, caught.value.retryable) == (FailureKind.TIMEOUT, True)
