"""Turning a scenario TOML file into a validated ``Scenario``, or a ``ScenarioError``."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from simulator.models.probe import ProbeCharacter
from simulator.scenario.devices import read_freezer, read_fridge, read_pasteuriser
from simulator.scenario.faults import read_fault
from simulator.scenario.fields import Table
from simulator.scenario.spec import (
    EnclosureSpec,
    PasteuriserSpec,
    ProbeRole,
    ProbeSpec,
    Scenario,
    ScenarioError,
    TargetKind,
)

_TOP_KEYS = ("scenario", "pasteurisers", "fridges", "freezers", "probes", "faults")
_SCENARIO_KEYS = (
    "name",
    "description",
    "seed",
    "duration_min",
    "duration_s",
    "room_c",
    "noise_sigma_c",
    "resolution_c",
)
_PROBE_KEYS = ("id", "sigma_c", "resolution_c", "offset_c")
_MAX_DURATION_S = 30 * 86_400.0


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate the scenario file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot read the file: {exc.strerror}") from exc
    return parse_scenario(text, source=str(path))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate scenario TOML ``text``; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "", f"not valid TOML: {exc}") from exc
    return scenario_from_mapping(data, source)


def scenario_from_mapping(data: Mapping[str, object], source: str = "<scenario>") -> Scenario:
    """Validate an already-parsed TOML document."""
    top = Table(data, source, "")
    top.check_keys(_TOP_KEYS)
    if "scenario" not in data:
        raise ScenarioError(source, "scenario", "the [scenario] table is required")
    head = Table(data["scenario"], source, "scenario")
    head.check_keys(_SCENARIO_KEYS)
    duration_s = head.seconds("duration", None, maximum_s=_MAX_DURATION_S, positive=True)
    pasteurisers = tuple(read_pasteuriser(t, duration_s) for t in top.tables("pasteurisers"))
    enclosures = tuple(read_fridge(t) for t in top.tables("fridges")) + tuple(
        read_freezer(t) for t in top.tables("freezers")
    )
    if not pasteurisers and not enclosures:
        raise ScenarioError(
            source, "", "a scenario needs at least one pasteuriser, fridge or freezer"
        )
    nominal = ProbeCharacter()
    default = ProbeCharacter(
        sigma_c=head.number("noise_sigma_c", nominal.sigma_c, 0.0, 5.0),
        resolution_c=head.number("resolution_c", nominal.resolution_c, 0.0, 1.0),
    )
    probes = _placed_probes(top, pasteurisers, enclosures, default)
    targets = {
        TargetKind.PASTEURISER: [p.id for p in pasteurisers],
        TargetKind.ENCLOSURE: [e.id for e in enclosures],
        TargetKind.PROBE: [p.id for p in probes],
        TargetKind.LINK: list(dict.fromkeys(p.link for p in probes if p.link is not None)),
    }
    faults = tuple(read_fault(t, duration_s, targets) for t in top.tables("faults"))
    return Scenario(
        name=head.text("name"),
        description=head.text("description", ""),
        seed=head.integer("seed", 0, 0, 2**63 - 1),
        duration_s=duration_s,
        room_c=head.number("room_c", 21.0, 0.0, 40.0),
        pasteurisers=pasteurisers,
        enclosures=enclosures,
        probes=probes,
        faults=faults,
        source=source,
    )


def _placed_probes(
    top: Table,
    pasteurisers: tuple[PasteuriserSpec, ...],
    enclosures: tuple[EnclosureSpec, ...],
    default: ProbeCharacter,
) -> tuple[ProbeSpec, ...]:
    """Every probe the devices declare, with its character, after checking ids are unique."""
    owners: dict[str, str] = {}
    places: list[tuple[str, str, ProbeRole, str | None, str]] = []  # probe, owner, role, link, path
    for i, p in enumerate(pasteurisers):
        where = f"pasteurisers[{i}]"
        _claim(top, owners, p.id, f"{where}.id", "a device")
        places.append((p.bath_probe, p.id, ProbeRole.BATH, p.link, f"{where}.bath_probe"))
        reference_path = f"{where}.reference_probe"
        places.append((p.reference_probe, p.id, ProbeRole.REFERENCE, p.link, reference_path))
        for j, probe in enumerate(p.bottle_probes):
            places.append((probe, p.id, ProbeRole.BOTTLE, p.link, f"{where}.bottle_probes[{j}]"))
    for enclosure in enclosures:
        where = _enclosure_path(enclosures, enclosure)
        _claim(top, owners, enclosure.id, f"{where}.id", "a device")
        air = (enclosure.probe, enclosure.id, ProbeRole.AIR, enclosure.link, f"{where}.probe")
        places.append(air)
    for probe, _owner, _role, _link, path in places:
        _claim(top, owners, probe, path, "a probe")
    for _probe, _owner, _role, link, path in places:
        if link is not None and link in owners:
            link_path = path.rsplit(".", 1)[0] + ".link"
            raise ScenarioError(
                top.source, link_path, f"link '{link}' has the same id as {owners[link]}"
            )
    characters = _probe_characters(top, [place[0] for place in places], default)
    return tuple(
        ProbeSpec(id=probe, owner=owner, role=role, link=link, character=characters[probe])
        for probe, owner, role, link, _path in places
    )


def _enclosure_path(enclosures: tuple[EnclosureSpec, ...], enclosure: EnclosureSpec) -> str:
    same_kind = [e for e in enclosures if e.kind is enclosure.kind]
    return f"{enclosure.kind}s[{same_kind.index(enclosure)}]"


def _claim(top: Table, owners: dict[str, str], item: str, path: str, what: str) -> None:
    if item in owners:
        raise ScenarioError(top.source, path, f"'{item}' is already used as {owners[item]}")
    owners[item] = f"{what} ({path})"


def _probe_characters(
    top: Table, probe_ids: list[str], default: ProbeCharacter
) -> dict[str, ProbeCharacter]:
    characters = dict.fromkeys(probe_ids, default)
    described: set[str] = set()
    for table in top.tables("probes"):
        table.check_keys(_PROBE_KEYS)
        probe = table.text("id")
        if probe not in characters:
            known = ", ".join(probe_ids)
            raise table.error("id", f"'{probe}' is not a probe of any device; probes: {known}")
        if probe in described:
            raise table.error("id", f"probe '{probe}' is described twice")
        described.add(probe)
        characters[probe] = ProbeCharacter(
            sigma_c=table.number("sigma_c", default.sigma_c, 0.0, 5.0),
            resolution_c=table.number("resolution_c", default.resolution_c, 0.0, 1.0),
            offset_c=table.number("offset_c", 0.0, -10.0, 10.0),
        )
    return characters
