from pathlib import Path

import pytest

from config.service import InfluxSettings
from monitor.influx.factory import create_reader, create_writer
from monitor.influx.reader_v1 import InfluxV1Reader
from monitor.influx.tags import Tagger
from monitor.influx.writer_v1 import InfluxV1Writer
from monitor.influx.writer_v2 import InfluxV2Writer
from tests.fixtures.influxdb import InfluxServer
from tests.monitor.influx.records import cycle_records

TAGGER = Tagger("lab", "pi-1")


async def test_v1_writer_from_settings(influxdb: InfluxServer, influxdb_database: str) -> None:
    settings = InfluxSettings(
        enabled=True, api="v1", url=influxdb.url + "/", database=influxdb_database, batch_size=3
    )
    writer = create_writer(settings, TAGGER)
    assert isinstance(writer, InfluxV1Writer)
    assert (writer.url, writer.batch_size) == (influxdb.url, 3)
    reader = create_reader(settings, site="lab")
    assert isinstance(reader, InfluxV1Reader)
    records = cycle_records()
    try:
        await writer.write(records)
        assert await reader.records() == records
    finally:
        await writer.close()
        await reader.close()


def test_v1_password_comes_from_its_file(tmp_path: Path) -> None:
    secret = tmp_path / "influx.pw"
    secret.write_text("s3cret\n")
    secret.chmod(0o600)
    settings = InfluxSettings(username="bob", password_file=secret)
    writer = create_writer(settings, TAGGER)
    assert isinstance(writer, InfluxV1Writer)
    assert writer._headers == {"Authorization": "Basic Ym9iOnMzY3JldA=="}  # bob:s3cret


def test_v1_password_file_open_to_others_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "influx.pw"
    secret.write_text("s3cret\n")
    secret.chmod(0o644)
    with pytest.raises(ValueError, match="readable by others"):
        create_writer(InfluxSettings(username="bob", password_file=secret), TAGGER)


def test_v2_writer_from_settings(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("tok\n")
    token.chmod(0o600)
    settings = InfluxSettings(
        enabled=True, api="v2", url="http://influx.lab:8086", org="", bucket="b", token_file=token
    )
    writer = create_writer(settings, TAGGER)
    assert isinstance(writer, InfluxV2Writer)
    assert (writer.org, writer.bucket, writer._token) == ("-", "b", "tok")


def test_v2_without_token() -> None:
    with pytest.raises(ValueError, match="api v2 needs token or token_file"):
        create_writer(InfluxSettings(api="v2"), TAGGER)


def test_user_names_with_colons_are_refused() -> None:
    with pytest.raises(ValueError, match="must not contain ':'"):
        create_writer(InfluxSettings(username="a:b"), TAGGER)
