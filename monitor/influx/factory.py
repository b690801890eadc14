"""Writers and readers built from the ``[influxdb]`` settings."""

from __future__ import annotations

from config.service import InfluxSettings
from monitor.influx.reader_v1 import InfluxV1Reader
from monitor.influx.tags import Tagger
from monitor.influx.writer import InfluxWriter
from monitor.influx.writer_v1 import InfluxV1Writer


def create_writer(settings: InfluxSettings, tagger: Tagger) -> InfluxWriter:
    """The writer for ``settings.api``: v1 ``/write`` or v2 through influxdb-client.

    Secrets are read here (``token_file``, ``password_file``): a missing or too open file is
    a ``ValueError`` naming it.
    """
    if settings.api == "v1":
        return InfluxV1Writer(
            settings.url,
            settings.database,
            tagger,
            username=settings.username,
            password=settings.password_value(),
            batch_size=settings.batch_size,
            timeout_s=settings.timeout_s,
        )
    # influxdb-client takes a large part of a second to import: only when it is used.
    from monitor.influx.writer_v2 import InfluxV2Writer

    token = settings.token_value()
    if token is None:
        raise ValueError("[influxdb] api v2 needs token or token_file")
    return InfluxV2Writer(
        settings.url,
        settings.org,
        settings.bucket,
        token,
        tagger,
        batch_size=settings.batch_size,
        timeout_s=settings.timeout_s,
    )


def create_reader(
    settings: InfluxSettings, *, site: str | None = None, device: str | None = None
) -> InfluxV1Reader:
    """An InfluxQL reader of ``settings.database`` (InfluxDB 1.x, or 2.x with its v1 API)."""
    return InfluxV1Reader.from_settings(settings, site=site, device=device)
