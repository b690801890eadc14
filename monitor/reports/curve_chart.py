"""A cycle's curve as a reportlab vector drawing: every probe, the setpoint, the 58 °C mark,
the cooling target, the hold windows shaded and the dips marked.

Lines are thinned to about two points per point of paper (``cycle_curve.thinned`` keeps each
bucket's extremes), so a 90-minute cycle at 1 s draws as fast as a short one and a one-reading
dip still shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reportlab.graphics.shapes import Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from monitor.reports.cycle_curve import CycleCurve, thinned
from monitor.reports.cycle_summary import MARK_C
from monitor.reports.pdf_style import FONT, INK, MUTED, register_fonts

JUDGED = colors.HexColor("#b3261e")
OTHERS = [colors.HexColor(c) for c in ("#1f5fa8", "#2e8b57", "#7b3fa0", "#8a6d00", "#444444")]
GRID = colors.HexColor("#dddddd")
HOLD_DONE = colors.HexColor("#d9f0dc")
HOLD_BROKEN = colors.HexColor("#fbe7c6")
MARKS = {
    "settling": ("settling dip", colors.HexColor("#d08700")),
    "interrupted": ("interruption", colors.HexColor("#b3261e")),
    "overshoot": ("overshoot", colors.HexColor("#7b3fa0")),
    "flagged": ("record that fails verification", colors.HexColor("#000000")),
}
LEFT, RIGHT, BOTTOM, TOP = 34.0, 10.0, 30.0, 30.0
X_STEPS_MIN = (1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480)


@dataclass(frozen=True, slots=True)
class _Frame:
    """The plot area and its scales: seconds across, °C up."""

    width: float
    height: float
    span_s: float
    low: float
    high: float

    @property
    def plot_w(self) -> float:
        return self.width - LEFT - RIGHT

    @property
    def plot_h(self) -> float:
        return self.height - BOTTOM - TOP

    def x(self, t_s: float) -> float:
        return LEFT + self.plot_w * min(max(t_s, 0.0), self.span_s) / self.span_s

    def y(self, value: float) -> float:
        clipped = min(max(value, self.low), self.high)
        return BOTTOM + self.plot_h * (clipped - self.low) / (self.high - self.low)


def curve_drawing(curve: CycleCurve, width: float, height: float, start_text: str) -> Drawing:
    """The chart; ``start_text`` names the local time of minute 0 under the axis."""
    register_fonts()
    drawing = Drawing(width, height)
    frame = _Frame(width, height, max(curve.end_s, 60.0), *_y_range(curve))
    for start, end, done in curve.holds:
        left, fill = frame.x(start), HOLD_DONE if done else HOLD_BROKEN
        width_pt = max(frame.x(end) - left, 0.5)
        drawing.add(Rect(left, BOTTOM, width_pt, frame.plot_h, strokeColor=None, fillColor=fill))
    _grid(drawing, frame, start_text)
    _references(drawing, frame, curve)
    buckets = max(int(frame.plot_w), 1)
    # The judged probe is drawn last, on top: it is the one the verdict rests on.
    for n, series in sorted(enumerate(curve.series), key=lambda item: item[1].judged):
        colour = JUDGED if series.judged else OTHERS[n % len(OTHERS)]
        for run in series.runs:
            points = thinned(run, buckets)
            if len(points) >= 2:
                flat = [c for t, v in points for c in (frame.x(t), frame.y(v))]
                drawing.add(PolyLine(flat, strokeColor=colour,
                                     strokeWidth=1.3 if series.judged else 0.7))  # fmt: skip
    for mark in curve.marks:
        value = mark.value_c if mark.value_c is not None else frame.low
        drawing.add(_triangle(frame.x(mark.t_s), frame.y(value), MARKS[mark.kind][1]))
    drawing.add(_legend(curve, width, height))
    return drawing


def _y_range(curve: CycleCurve) -> tuple[float, float]:
    values = curve.value_range() or (0.0, 70.0)
    targets = [v for v in (curve.setpoint_c, curve.cooling_target_c, MARK_C) if v is not None]
    low = min(values[0], *targets) - 2
    high = max(values[1], *targets) + 3
    return 10.0 * math.floor(low / 10), 10.0 * math.ceil(high / 10)


def _text(x: float, y: float, text: str, colour: colors.Color = INK, **options: object) -> String:
    return String(x, y, text, fontName=FONT, fontSize=7, fillColor=colour, **options)


def _grid(drawing: Drawing, frame: _Frame, start_text: str) -> None:
    right = LEFT + frame.plot_w
    step_c = 10 if frame.high - frame.low > 40 else 5
    value = frame.low
    while value <= frame.high + 1e-9:
        drawing.add(Line(LEFT, frame.y(value), right, frame.y(value), strokeColor=GRID,
                         strokeWidth=0.4))  # fmt: skip
        drawing.add(_text(LEFT - 3, frame.y(value) - 2.5, f"{value:g}", textAnchor="end"))
        value += step_c
    span_min = frame.span_s / 60
    step = next((s for s in X_STEPS_MIN if span_min / s <= 12), X_STEPS_MIN[-1])
    minute = 0
    while minute <= span_min + 1e-9:
        px = frame.x(minute * 60)
        drawing.add(Line(px, BOTTOM, px, BOTTOM - 3, strokeColor=INK, strokeWidth=0.5))
        drawing.add(_text(px, BOTTOM - 11, str(minute), textAnchor="middle"))
        minute += step
    top = frame.y(frame.high)
    drawing.add(Line(LEFT, BOTTOM, right, BOTTOM, strokeColor=INK, strokeWidth=0.7))
    drawing.add(Line(LEFT, BOTTOM, LEFT, top, strokeColor=INK, strokeWidth=0.7))
    axis = f"minutes from the start ({start_text})"
    drawing.add(_text(LEFT + frame.plot_w / 2, 4, axis, MUTED, textAnchor="middle"))
    drawing.add(_text(4, top + 4, "°C", MUTED))


def _references(drawing: Drawing, frame: _Frame, curve: CycleCurve) -> None:
    """The setpoint, the 58 °C mark and the cooling target, each a labelled line."""
    lines: list[tuple[float, str, colors.Color, list[float]]] = []
    if curve.setpoint_c is not None:
        lines.append((curve.setpoint_c, f"setpoint {curve.setpoint_c:g} °C", INK, [4, 2]))
    if curve.setpoint_c != MARK_C:
        lines.append((MARK_C, f"{MARK_C:g} °C", MUTED, [1, 2]))
    if curve.cooling_target_c is not None:
        target = curve.cooling_target_c
        lines.append((target, f"cooling target {target:g} °C", OTHERS[0], [1, 2]))
    right = LEFT + frame.plot_w
    for value, text, colour, dash in lines:
        if frame.low <= value <= frame.high:
            level = frame.y(value)
            drawing.add(Line(LEFT, level, right, level, strokeColor=colour, strokeWidth=0.8,
                             strokeDashArray=dash))  # fmt: skip
            # At the left, where the curve is still low (come-up) or not yet drawn.
            drawing.add(_text(LEFT + 3, level + 2, text, colour))


def _triangle(px: float, py: float, colour: colors.Color) -> Polygon:
    """A triangle pointing down at the value, standing just above the line."""
    return Polygon([px, py + 1, px - 3, py + 7, px + 3, py + 7], fillColor=colour,
                   strokeColor=colour, strokeWidth=0.3)  # fmt: skip


def _legend(curve: CycleCurve, width: float, height: float) -> Group:
    group = Group()
    px, py = LEFT, height - 12
    entries: list[tuple[str, str, colors.Color]] = []
    for n, series in enumerate(curve.series):
        colour = JUDGED if series.judged else OTHERS[n % len(OTHERS)]
        text = f"{series.probe} (hold judged on it)" if series.judged else series.probe
        entries.append((text, "line", colour))
    if curve.holds:
        entries.append(("hold (shaded)", "box", HOLD_DONE))
    kinds = {m.kind for m in curve.marks}
    entries += [(text, "mark", colour) for kind, (text, colour) in MARKS.items() if kind in kinds]
    for text, how, colour in entries:
        needed = 15 + stringWidth(text, FONT, 7)
        if px + needed > width - RIGHT and px > LEFT:
            px, py = LEFT, py - 10
        if how == "mark":
            group.add(_triangle(px + 6, py - 3, colour))
        elif how == "box":
            group.add(Rect(px, py - 2, 12, 7, fillColor=colour, strokeColor=None))
        else:
            group.add(Line(px, py + 1.5, px + 12, py + 1.5, strokeColor=colour, strokeWidth=1.5))
        group.add(_text(px + 15, py - 1, text))
        px += needed + 12
    return group
