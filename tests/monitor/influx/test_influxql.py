from monitor.influx.influxql import (
    lot_condition,
    quote_identifier,
    quote_string,
    regex_literal_text,
    select_records,
    tag_condition,
    time_condition,
)


def test_quoting() -> None:
    assert quote_string("it's a\\b") == "'it\\'s a\\\\b'"
    assert quote_identifier('a"b') == '"a\\"b"'
    assert regex_literal_text("L.1+(x)/y") == "L\\.1\\+\\(x\\)\\/y"
    assert regex_literal_text("L2026-001") == "L2026-001"


def test_conditions_and_select() -> None:
    assert lot_condition("L2026-001") == '"lots" =~ /(^|,)L2026-001(,|$)/'
    assert tag_condition("stream", "lot:L'1") == "\"stream\" = 'lot:L\\'1'"
    assert time_condition(1_500_000, 3_000_001) == "time >= 1000000 AND time < 4000000"
    assert select_records() == (
        'SELECT * FROM "lactamon_reading", "lactamon_event", "lactamon_head"'
    )
    assert select_records("a", "b").endswith(" WHERE (a) AND (b)")
