from hypothesis import given
from hypothesis import strategies as st

from drivers.serial_line_framing import LineAssembler, Overlong


def feed_all(assembler: LineAssembler, chunks: list[bytes]) -> list[bytes | Overlong]:
    out: list[bytes | Overlong] = []
    for chunk in chunks:
        out += assembler.feed(chunk)
    return out


def test_lines_end_at_cr_lf_or_crlf_and_empty_lines_are_skipped() -> None:
    assembler = LineAssembler(64, skip_first=False)
    assert assembler.feed(b"a=1\r\nb=2\nc=3\r\r\n\nd=") == [b"a=1", b"b=2", b"c=3"]
    assert assembler.feed(b"4\r\n") == [b"d=4"]


def test_the_first_fragment_after_opening_is_dropped() -> None:
    assembler = LineAssembler(64)
    assert assembler.feed(b"2=61.90\r\nT1=62.48;T2=61.90\r\n") == [b"T1=62.48;T2=61.90"]


def test_an_overlong_line_is_reported_once_and_dropped_to_its_end() -> None:
    assembler = LineAssembler(8, skip_first=False)
    out = feed_all(assembler, [b"123456", b"789", b"0" * 1000, b"xx\r\nok=1\r\n"])
    assert out == [Overlong(9), b"ok=1"]


def test_a_line_of_exactly_the_limit_is_kept() -> None:
    assert LineAssembler(8, skip_first=False).feed(b"12345678\n") == [b"12345678"]


@given(
    data=st.binary(max_size=300),
    cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=10),
)
def test_how_the_stream_is_cut_into_chunks_does_not_matter(data: bytes, cuts: list[int]) -> None:
    whole = LineAssembler(16).feed(data)
    points = sorted({c for c in cuts if c <= len(data)})
    chunks = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    assert feed_all(LineAssembler(16), chunks) == whole
    for item in whole:
        if isinstance(item, bytes):
            assert 0 < len(item) <= 16
            assert b"\r" not in item
            assert b"\n" not in item
