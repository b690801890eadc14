"""What a fuzz run counts, and the inputs that broke a rule, kept to be replayed.

Every target tallies its cases by kind and outcome, and keeps the first few failures of
each rule with the input that caused them, shown as a Python literal that can be pasted
into a regression test.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

# Enough to see a pattern in; the count says how many there were in all.
KEPT_PER_RULE = 5
MAX_SHOWN = 600


@dataclass
class Failure:
    rule: str
    case: str
    reproducer: str
    outcome: str


@dataclass
class Figures:
    """Counters of one fuzz target; ``failed`` counts every broken rule, ``failures`` keeps some."""

    target: str
    seed: int
    counts: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def count(self, *names: str) -> None:
        for name in names:
            self.counts[name] += 1

    def fail(self, rule: str, case: str, reproducer: object, outcome: str) -> None:
        """A broken rule: counted always, its input kept for the first few."""
        self.failed[rule] += 1
        if sum(f.rule == rule for f in self.failures) < KEPT_PER_RULE:
            shown = _cut(repr(reproducer))
            self.failures.append(Failure(rule, case, shown, _cut(outcome)))

    def format(self) -> str:
        elapsed = time.monotonic() - self.started
        lines = [f"== fuzz {self.target} (seed {self.seed}, {elapsed:.1f} s)"]
        lines += [f"  {name}: {n}" for name, n in sorted(self.counts.items())]
        if not self.failed:
            lines.append("  failures: 0")
        for rule, n in sorted(self.failed.items()):
            lines.append(f"  FAILED {rule}: {n}")
        for f in self.failures:
            lines.append(f"    [{f.rule}] {f.case}: {f.reproducer}\n      -> {f.outcome}")
        return "\n".join(lines)

    def assert_clean(self, known: Mapping[str, str] | None = None) -> None:
        """No rule broken, but for ``known`` ones: rule prefixes, each with why it is."""
        broken = [r for r in self.failed if not any(r.startswith(k) for k in known or {})]
        assert not broken, self.format()


def _cut(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN]}… ({len(text)} chars)"
