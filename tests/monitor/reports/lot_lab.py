"""A real lot on a real journal: a passing cycle run through the pipeline, stays, acts.

Before the cycle, fridge F1's probe falls silent for a minute (an alarm of the unit, signed
by a checkpoint of the alarms stream before the cycle starts). The cycle is judged by the
service's own pipeline (``PipelineLab``): come-up, a 32-minute hold at 63.6 °C, cooling; the
bottle probe falls silent during the hold, so a stale alarm is raised and acknowledged with
a signature. The lot then waits in fridge F2 (where a door left
open makes an alarmed excursion, kept by the supervisor's decision), then in freezer Z1; it
is released and partly given out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from monitor.evaluation import LotBacteriology
from monitor.journal import JournalReader, LotBook, lot_stream
from monitor.journal.keys import load_key_file, public_key_b64
from monitor.journal.lot_book import signed
from monitor.journal.record import FieldValue
from monitor.signature import Signature
from tests.monitor.service.pipeline_lab import PipelineLab

LOT = "L2026-001"
SITE_NAME = "Lactarium de démonstration"
ANNE = "Anne Martin"
SOPHIE = "Dr Sophie Bernard"
COLD = {"F1-air": 3.0, "F2-air": 3.0, "Z1-air": -20.0}
IDLE = {"P1-bath": 20.0, "P1-ref": 20.0, "P1-b1": 20.0, **COLD}
HOLD_C = 63.6


def anne(meaning: str, comment: str = "") -> Signature:
    return Signature("anne", ANNE, meaning, comment)


def sophie(meaning: str, comment: str = "") -> Signature:
    return Signature("sophie", SOPHIE, meaning, comment)


@dataclass(frozen=True, slots=True)
class LotLab:
    folder: Path
    journal: Path
    key_file: Path
    config: Path
    public_key: str
    key_id: str
    cycle: str


def build_lot_lab(folder: Path) -> LotLab:
    lab = PipelineLab(folder)
    book = LotBook(lab.journal)
    book.create(LOT, ["D001", "D002", "D003"], anne("created"))
    book.record_bacteriology(LOT, "before", 5e3, 10, anne("recorded"), "LAB-2026-117")
    _run(lab, 60, 1, {k: v for k, v in IDLE.items() if k != "F1-air"})
    _run(lab, 6 * 60, 1, IDLE)  # the alarms stream is signed (every 300 s) before the cycle
    cycle = lab.pipeline.start_cycle("P1", [LotBacteriology(LOT, 5e3, 10)], "holder63",
                                     lab.clock.now).stream  # fmt: skip
    book.link_cycle(LOT, cycle, anne("linked"))
    _pasteurise(lab)
    book.record_bacteriology(LOT, "after", 0, 0, anne("recorded"), "LAB-2026-131")
    book.start_stay(LOT, "F2", lab.clock.now, anne("stored"))
    _run(lab, 20 * 60, 10, IDLE)
    _run(lab, 12 * 60, 10, {**IDLE, "F2-air": 5.5})  # a door left ajar past the 10-min delay
    _run(lab, 10 * 60, 10, IDLE)
    book.end_stay(LOT, "F2", lab.clock.now, anne("removed"))
    book.start_stay(LOT, "Z1", lab.clock.now, anne("stored"))
    _run(lab, 20 * 60, 10, IDLE)
    book.end_stay(LOT, "Z1", lab.clock.now, anne("removed"))
    excursion = next(r for r in lab.records(_f2_day(lab)) if r.kind == "excursion_started")
    _act(lab, "lot_decided", sophie("decided", "door ajar 12 min, milk at 5.5 °C at most"),
         decision="keep", alarm="band:F2", excursion=f"{excursion.stream}#{excursion.seq}",
         reason="short excursion, milk kept")  # fmt: skip
    _act(lab, "lot_released", sophie("released", "bacteriology after pasteurisation negative"))
    _act(lab, "lot_distributed", anne("distributed"), bottles=4, volume_ml=200.0,
         ward="Néonatologie", recipient_ref="RX-2026-0042")  # fmt: skip
    _run(lab, 10 * 60, 10, IDLE)  # a signature covers the last records
    lab.close()
    config = folder / "settings.toml"
    config.write_text(
        f'[site]\nname = "{SITE_NAME}"\ntimezone = "Europe/Paris"\n'
        f'[journal]\npath = "{lab.path}"\n[signing]\nkey_file = "{folder / "device.key"}"\n'
    )
    return LotLab(folder, lab.path, folder / "device.key", config, public_key_b64(lab.key.public),
                  lab.key.key_id, cycle)  # fmt: skip


def _pasteurise(lab: PipelineLab) -> None:
    """A water bath's curve: 15 minutes of come-up, the reference bottle levelling off at the
    setpoint with a dip (settling: recorded, no alarm), 32 minutes of plateau during which
    the bottle probe is silent a minute, then 20 minutes of cooling to 4.5 °C."""
    for step in range(60):
        value = 20.0 + (HOLD_C - 20.0) * (step + 1) / 60
        bath = min(value + 3.0, HOLD_C + 1.0)
        _run(lab, 15, 1, {"P1-bath": bath, "P1-ref": value, "P1-b1": value + 0.1, **COLD})
    hot = {"P1-bath": HOLD_C + 1, "P1-ref": HOLD_C, "P1-b1": HOLD_C + 0.1, **COLD}
    _run(lab, 30, 1, hot)
    _run(lab, 3, 1, {**hot, "P1-ref": 62.9})  # levelling off: a dip within the settling time
    _run(lab, 10 * 60, 1, hot)
    _run(lab, 60, 1, {k: v for k, v in hot.items() if k != "P1-b1"})  # the bottle probe is silent
    _run(lab, 21 * 60, 1, hot)
    lab.pipeline.desk.acknowledge(lab.clock.now, "stale:P1-b1",
                                  anne("acknowledged", "bottle probe reseated"))  # fmt: skip
    for step in range(20):
        value = HOLD_C - (HOLD_C - 4.5) * (step + 1) / 20
        bath = max(value - 6.0, 4.0)
        _run(lab, 60, 1, {"P1-bath": bath, "P1-ref": value, "P1-b1": value + 0.1, **COLD})
    _run(lab, 20 * 60, 1, {"P1-bath": 4.0, "P1-ref": 4.5, "P1-b1": 4.6, **COLD})


def _run(lab: PipelineLab, seconds: float, every_s: float, readings: dict[str, float]) -> None:
    """``lab.run`` with the daemon's commit timer: each simulated minute, ``flush`` signs the
    streams whose oldest unsigned record is older than ``checkpoint_every_s``."""
    while seconds > 0:
        step = min(seconds, 60)
        lab.run(step, every_s, readings)
        lab.journal.flush()
        seconds -= step


def _f2_day(lab: PipelineLab) -> str:
    lab.journal.flush()
    with JournalReader(lab.path) as reader:
        return next(n for n in reader.stream_names() if n.startswith("enclosure:F2:"))


def _act(lab: PipelineLab, kind: str, signature: Signature, **fields: FieldValue) -> None:
    record = {"lot": LOT, **fields, **signed(signature)}
    lab.journal.append_event(lot_stream(LOT), kind, record)


def shared_lot_lab(base: Path) -> LotLab:
    """The lot lab of this test session, built at the first call: tests only read it."""
    folder = base / "lot-lab"
    done = folder / "built"
    if not done.exists():
        lab = build_lot_lab(folder)
        done.write_text(lab.cycle)
        return lab
    key = load_key_file(folder / "device.key")
    return LotLab(folder, folder / "journal.sqlite", folder / "device.key",
                  folder / "settings.toml", public_key_b64(key.public), key.key_id,
                  done.read_text())  # fmt: skip
