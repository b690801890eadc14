"""The real servers the InfluxDB tests write to: InfluxDB 1.6 and VictoriaMetrics."""

from tests.fixtures.influxdb import (  # noqa: F401
    influxdb,
    influxdb_database,
    influxdb_with_auth,
    restartable_influxdb,
)
from tests.fixtures.victoria_metrics import victoria_metrics  # noqa: F401
