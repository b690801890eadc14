"""Fuzz target: mutated settings files through ``lactamon config check``.

Each case starts from one of ``config/examples/*.toml`` and changes its keys, values, types
and structure (a key dropped, renamed or added, a value of another TOML type, an entry
copied, nesting deeper than any setting, a secret file of another mode), or garbles the
text itself. Rules: the check exits 0 or 2, raises nothing, and prints no traceback.
"""

from __future__ import annotations

import copy
import io
import math
import random
import re
import tomllib
import traceback
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from monitor.cli.main import main
from tests.fuzz.figures import Figures
from tests.fuzz.toml_text import Verbatim, dumps, nested

FULL_COUNT = 1000
EXAMPLES = Path(__file__).parents[2] / "config" / "examples"
SECRETS = {"secret-600": 0o600, "secret-640": 0o640, "secret-644": 0o644, "secret-604": 0o604}
SECRET_SETTINGS = [
    ("signing", "key_file"),
    ("mqtt", "password_file"),
    ("influxdb", "token_file"),
    ("influxdb", "password_file"),
    ("web", "tls_key_file"),
    ("web", "tls_cert_file"),
]
# TOML as only a person writes it: more digits than Python converts, other bases, escapes.
LITERALS = ["1" + "0" * 5000, "-" + "9" * 4301, "0x7fffffffffffffffff", "0o777", "0b101",
            "1e1000", "-0.0", "+nan", "1_000", "1979-05-27T07:32:00Z", "07:32:00.999999",
            "'''two\nlines'''", '"""\\u0000"""', '"\\U0010ffff"', "'C:\\path'"]  # fmt: skip
TAGS = ["kind", "format", "encoding", "api", "role", "table", "word_order", "unit", "id"]
Place = tuple[Any, Any]  # a container and a key (or an index) in it
_VARIABLE = re.compile(r"'[^']*'|\([^)]*\)|[0-9]+|\[.*")


def run(count: int, seed: int, folder: Path) -> Figures:
    figures = Figures("settings files through `lactamon config check`", seed)
    rng = random.Random(f"{seed}/settings")
    examples = [tomllib.loads(p.read_text("utf-8")) for p in sorted(EXAMPLES.glob("*.toml"))]
    names = sorted({key for doc in examples for key in _keys(doc)})
    for name, mode in SECRETS.items():
        (folder / name).write_text("hunter2\n")
        (folder / name).chmod(mode)
    (folder / "a-folder").mkdir(exist_ok=True)
    for i in range(count):
        document = copy.deepcopy(rng.choice(examples))
        # A third of the cases only tweak values or add a secret: files that mostly stay
        # valid, so the summary and its warnings see odd values too.
        choices = [tweak, secret] if rng.random() < 0.33 else MUTATIONS
        ops = [rng.choice(choices) for _ in range(rng.randrange(1, 4))]
        for op in ops:
            op(document, rng, names)
        text = dumps(document)
        if not _unequal_when_read(document) and tomllib.loads(text) != document:
            figures.fail("the fuzzer's TOML writer", "writer", document, text)
            continue
        data = text.encode("utf-8")
        kind = "+".join(sorted({op.__name__ for op in ops}))
        if rng.random() < 0.15:
            data, kind = _garble(data, rng), "garbled text"
        path = folder / f"case-{i}.toml"
        path.write_bytes(data)
        _check(figures, kind, path, data)
    return figures


def _check(figures: Figures, kind: str, path: Path, data: bytes) -> None:
    out, err = io.StringIO(), io.StringIO()
    figures.count("files")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["config", "check", str(path)])
    except BaseException as exc:  # SystemExit included: argparse must not see these files
        figures.fail("crash", kind, data.decode("utf-8", "replace"), _last_frames(exc))
        return
    figures.count(f"exit {code}")
    if code not in (0, 2):
        figures.fail("exit code", kind, data.decode("utf-8", "replace"), f"exit {code}")
    printed = out.getvalue() + err.getvalue()
    if "Traceback" in printed:
        figures.fail("traceback printed", kind, data.decode("utf-8", "replace"), printed)
    first = err.getvalue().splitlines()[1:2]
    if code == 2 and first:
        # The kind of the first problem: its key, quoted values and numbers left out.
        message = _VARIABLE.sub("…", first[0].split(": ", 1)[-1])
        figures.count("first problem: " + message[:48])


def _last_frames(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)[-4:])


def _keys(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [*node, *(k for v in node.values() for k in _keys(v))]
    if isinstance(node, list):
        return [k for v in node for k in _keys(v)]
    return []


def _walk(node: Any) -> list[Place]:
    """Every value's place in ``node``, walked without recursion: ``nest`` goes deep."""
    found: list[Place] = []
    pending = [node]
    while pending:
        container = pending.pop()
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, value in items:
            found.append((container, key))
            if isinstance(value, dict | list):
                pending.append(value)
    return found


def _unequal_when_read(node: Any) -> bool:
    """NaN is unequal to itself, and a ``Verbatim`` value reads back as what it writes."""
    return any(
        isinstance(c[k], Verbatim) or (isinstance(c[k], float) and math.isnan(c[k]))
        for c, k in _walk(node)
    )


def _containers(node: Any, kind: type) -> list[Any]:
    found = [node] if isinstance(node, kind) else []
    return found + [c[k] for c, k in _walk(node) if isinstance(c[k], kind)]


STRINGS = [
    "",
    "x",
    "fridge",
    "mqtt",
    "modbus",
    "C",
    "\u00e9\u20ac\U0001f95b",
    "a" * 5000,
    "../../etc/passwd",
    "\\x00",
    "$HOME",
    "1.5",
]
INTEGERS = [0, -1, 1, 7, 65535, 65536, 2**31, 2**63 - 1, -(2**63)]
FLOATS = [0.0, -0.0, 0.5, 1e-320, 1e308, -1e308, math.inf, -math.inf, math.nan, 61.9]
MOMENTS = [
    date(2027, 5, 1),
    date(1, 1, 1),
    date(9999, 12, 31),
    datetime(2026, 3, 2, 10, 15),
    datetime(2026, 3, 2, tzinfo=UTC),
    time(10, 15, 30),
]


def random_value(rng: random.Random, depth: int = 0) -> Any:
    """A value of any TOML type; arrays and tables hold more of them, a few levels deep."""
    kinds: list[Callable[[], Any]] = [
        lambda: rng.choice(STRINGS),
        lambda: rng.choice(INTEGERS),
        lambda: rng.choice(FLOATS),
        lambda: rng.random() < 0.5,
        lambda: rng.choice(MOMENTS),
        lambda: Verbatim(rng.choice(LITERALS)),
        lambda: rng.choice([[], {}]),
    ]
    if depth < 3:
        kinds += [
            lambda: [random_value(rng, depth + 1) for _ in range(rng.randrange(1, 4))],
            lambda: {rng.choice(["id", "kind", "x", "low", "high"]): random_value(rng, depth + 1)},
            lambda: [{"id": "x", "kind": random_value(rng, depth + 1)}],
        ]
    return rng.choice(kinds)()


def _place(doc: Any, rng: random.Random) -> Place:
    """A random value's place; the whole document's when nothing is left in it."""
    return rng.choice(_walk(doc) or [({"": doc}, "")])


def delete(doc: Any, rng: random.Random, names: list[str]) -> None:
    container, key = _place(doc, rng)
    del container[key]


def retype(doc: Any, rng: random.Random, names: list[str]) -> None:
    container, key = _place(doc, rng)
    container[key] = random_value(rng)


def retag(doc: Any, rng: random.Random, names: list[str]) -> None:
    places = [(c, k) for c, k in _walk(doc) if k in TAGS] or [_place(doc, rng)]
    container, key = rng.choice(places)
    container[key] = random_value(rng)


def add_key(doc: Any, rng: random.Random, names: list[str]) -> None:
    table = rng.choice(_containers(doc, dict))
    table[rng.choice([*names, "", "a b", "é", "sitee"])] = random_value(rng)


def rename(doc: Any, rng: random.Random, names: list[str]) -> None:
    table = rng.choice([t for t in _containers(doc, dict) if t] or [doc])
    if table:
        key = rng.choice(list(table))
        table[rng.choice([key.upper(), key[:-1], key + "s", rng.choice(names)])] = table.pop(key)


def copy_entry(doc: Any, rng: random.Random, names: list[str]) -> None:
    arrays = [a for a in _containers(doc, list) if a]
    if arrays:
        array = rng.choice(arrays)
        array.append(copy.deepcopy(rng.choice(array)))


def wrap(doc: Any, rng: random.Random, names: list[str]) -> None:
    container, key = _place(doc, rng)
    container[key] = rng.choice([[container[key]], {"value": container[key]}])


def swap(doc: Any, rng: random.Random, names: list[str]) -> None:
    (a, i), (b, j) = _place(doc, rng), _place(doc, rng)
    if a is not b or i != j:
        a[i], b[j] = b[j], a[i]


def nest(doc: Any, rng: random.Random, names: list[str]) -> None:
    depth = rng.choice([5, 50, 200, 450, 2000])
    container, key = _place(doc, rng)
    container[key] = nested("".join(rng.choice("[[{") for _ in range(depth)))


def secret(doc: Any, rng: random.Random, names: list[str]) -> None:
    section, key = rng.choice(SECRET_SETTINGS)
    table = doc.setdefault(section, {})
    if isinstance(table, dict):
        table[key] = rng.choice([*SECRETS, "a-folder", "missing", "/"])
        if section == "mqtt":
            table.setdefault("username", "lactamon")
        if section == "influxdb" and rng.random() < 0.7:
            table["enabled"] = True
            table["api"] = "v2" if key == "token_file" else "v1"


def tweak(doc: Any, rng: random.Random, names: list[str]) -> None:
    """A value of the same type, so that more files stay valid and reach the summary."""
    places = [(c, k) for c, k in _walk(doc) if isinstance(c[k], int | float | str)]
    if not places:
        return
    container, key = rng.choice(places)
    old = container[key]
    if isinstance(old, bool):
        container[key] = not old
    elif isinstance(old, int):
        container[key] = rng.choice([0, 1, old - 1, old + 1, old * 1000, -old, 247, 248])
    elif isinstance(old, float):
        container[key] = rng.choice([0.0, old / 10, old * 10, -old, old + 0.1, 1e-9, 149.9])
    else:
        container[key] = rng.choice([old.upper(), old + "x", old[:1], rng.choice(names), ""])


MUTATIONS = [delete, retype, retag, add_key, rename, copy_entry, wrap, swap, nest, secret]
MUTATIONS += [tweak] * 4


def _garble(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 6)):
        at = rng.randrange(0, len(out) + 1)
        choice = rng.randrange(4)
        if choice == 0 and at < len(out):
            out[at] ^= 1 << rng.randrange(8)
        elif choice == 1:
            out[at:at] = rng.choice([b"[", b"{", b'"', b"=", b"\n", b"\xff", b"\x00", b"#"])
        elif choice == 2:
            del out[at : at + rng.randrange(1, 20)]
        else:
            out = out[:at]
    return bytes(out)
