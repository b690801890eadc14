from monitor.journal import Finding, FindingKind, FindingSeverity, VerificationReport
from monitor.journal.verification import StreamSummary


def test_a_report_is_ok_without_errors_and_says_everything_in_text() -> None:
    report = VerificationReport("journal.sqlite", ("abcd",))
    report.streams.append(StreamSummary("device", 5, 5, False, 3))
    report.findings.append(Finding(FindingKind.UNSIGNED_TAIL, "device", 4, "2 unsigned", 5))
    assert report.ok
    assert report.warnings[0].severity is FindingSeverity.WARNING
    report.findings.append(Finding(FindingKind.MISSING, "device", 2, "1 record(s) missing"))
    report.notes.append("a note")
    assert not report.ok
    assert [f.seq for f in report.at("device", 5)] == [4]
    text = report.format()
    assert text.splitlines()[0].startswith("Verification of journal.sqlite: FAILED — 1 error(s)")
    assert "Note: a note" in text
    assert "abcd" in text
    assert "device#4..5: 2 unsigned" in text
    assert "device#2: 1 record(s) missing" in text


def test_findings_name_their_place() -> None:
    assert Finding(FindingKind.MALFORMED, None, None, "x", where="line 3").location() == "line 3"
    assert Finding(FindingKind.MISSING, "lot:L1", None, "x").location() == "lot:L1"
    assert Finding(FindingKind.ALTERED, "s", 4, "x", where="row 9").location() == "s#4 (row 9)"
    assert not Finding(FindingKind.ALTERED, "s", None, "x").covers("s", 1)


def test_a_long_report_lists_only_the_streams_with_findings() -> None:
    report = VerificationReport("journal.sqlite", ("abcd",))
    report.streams += [StreamSummary(f"s{i}", 1, 1, True, 1) for i in range(60)]
    report.findings.append(Finding(FindingKind.MISSING, "s7", 1, "gone"))
    text = report.format()
    assert "59 stream(s) without findings" in text
    assert "  s7: 1 record(s)" in text
    assert "  s8: " not in text
