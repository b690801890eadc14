import pytest

from monitor.influx.errors import FailureKind, InfluxQueryError, InfluxWriteError
from monitor.influx.http_errors import server_text, status_error


def test_server_text() -> None:
    assert server_text(b'{"error":"database not found: \\"x\\""}') == 'database not found: "x"'
    assert server_text('{"code":"invalid","message":"bad  line\\n here"}') == "bad line here"
    assert server_text(b"<html>\n<body>oops</body>") == "<html> <body>oops</body>"
    assert server_text("x" * 600).endswith("...")
    assert len(server_text("x" * 600)) == 500


@pytest.mark.parametrize(
    ("status", "kind", "retryable"),
    [
        (400, FailureKind.REJECTED, False),
        (401, FailureKind.AUTH, False),
        (403, FailureKind.AUTH, False),
        (404, FailureKind.NOT_FOUND, False),
        (408, FailureKind.SERVER, True),
        (413, FailureKind.TOO_LARGE, False),
        (422, FailureKind.REJECTED, False),
        (429, FailureKind.SERVER, True),
        (500, FailureKind.SERVER, True),
        (504, FailureKind.SERVER, True),
        (302, FailureKind.RESPONSE, False),
    ],
)
def test_statuses(status: int, kind: FailureKind, retryable: bool) -> None:
    error = status_error(InfluxQueryError, status, "", what="query", credentials="user 'bob'")
    assert isinstance(error, InfluxQueryError)
    assert (error.kind, error.retryable, error.status) == (kind, retryable, status)
    assert str(error).startswith("query: ")


def test_auth_messages_name_who_asked() -> None:
    error = status_error(
        InfluxWriteError, 403, '{"error":"not authorized"}', what="w", credentials="user 'bob'"
    )
    assert str(error) == (
        "w: permission denied (HTTP 403) for user 'bob': not authorized; check the user, "
        "password or token in [influxdb] and the permissions on the server"
    )
    assert error.server_message == "not authorized"
