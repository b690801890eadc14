"""The root settings model: everything a lactamon service needs, checked as a whole."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from config.base import EnvironmentSource
from config.equipment import (
    Enclosure,
    PasteurisationRules,
    Pasteuriser,
    ProgramSettings,
    check_program,
    default_programs,
)
from config.links import ModbusBus, MqttBroker, SerialLine
from config.lots import LotSettings
from config.notify import NotifySettings
from config.probe_checks import register_errors
from config.probes import ModbusSource, MqttSource, Probe, SerialSource
from config.service import (
    AlarmSettings,
    ClockSettings,
    InfluxSettings,
    JournalSettings,
    OverloadSettings,
    SigningSettings,
    Site,
    UsersSettings,
    WebSettings,
)
from config.sheets import SheetSettings


class CrossReferenceError(ValueError):
    """A reference between sections that does not resolve; carries its TOML path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class CrossReferenceErrors(ValueError):
    """All the unresolved references of a settings document, reported together."""

    def __init__(self, errors: list[CrossReferenceError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class Settings(BaseSettings):
    """A whole site. TOML gives the base; ``LACTAMON_*`` variables override (``__`` nests)."""

    model_config = SettingsConfigDict(
        env_prefix="LACTAMON_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        validate_default=True,
    )

    site: Site = Site()
    clock: ClockSettings = ClockSettings()
    journal: JournalSettings = JournalSettings()
    signing: SigningSettings = SigningSettings()
    users: UsersSettings = UsersSettings()
    influxdb: InfluxSettings = InfluxSettings()
    mqtt: MqttBroker | None = None
    web: WebSettings = WebSettings()
    alarms: AlarmSettings = AlarmSettings()
    overload: OverloadSettings = OverloadSettings()
    notify: NotifySettings = NotifySettings()
    sheets: SheetSettings = SheetSettings()
    modbus: list[ModbusBus] = Field(default_factory=list)
    serial: list[SerialLine] = Field(default_factory=list)
    probes: list[Probe] = Field(default_factory=list)
    pasteurisers: list[Pasteuriser] = Field(default_factory=list)
    enclosures: list[Enclosure] = Field(default_factory=list)
    programs: dict[str, ProgramSettings] = Field(default_factory=default_programs)
    pasteurisation: PasteurisationRules = PasteurisationRules()
    lots: LotSettings = LotSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML document arrives as init values (read by config.loading, which reports
        # its syntax errors with line numbers); environment variables win over it.
        return (EnvironmentSource(settings_cls), init_settings)

    @field_validator("programs")
    @classmethod
    def _programs_are_valid(
        cls, programs: dict[str, ProgramSettings]
    ) -> dict[str, ProgramSettings]:
        for name, program in programs.items():
            check_program(name, program)
        return programs

    @model_validator(mode="after")
    def _mqtt_of_this_unit(self) -> Settings:
        if self.mqtt is not None:
            # Frozen settings: the derived identity is set once, here, while validating.
            object.__setattr__(self, "mqtt", self.mqtt.for_unit(self.site.id, self.site.device))
        return self

    @model_validator(mode="after")
    def _api_socket_beside_the_journal(self) -> Settings:
        if self.web.unix_socket is None:
            # Frozen settings: the derived path is set once, here, while validating.
            socket = self.journal.path.with_name("lactamon.sock")
            object.__setattr__(self, "web", self.web.model_copy(update={"unix_socket": socket}))
        return self

    @model_validator(mode="after")
    def _references_resolve(self) -> Settings:
        errors = self.cross_reference_errors()
        if errors:
            raise CrossReferenceErrors(errors)
        return self

    def probe(self, probe_id: str) -> Probe:
        for probe in self.probes:
            if probe.id == probe_id:
                return probe
        raise KeyError(probe_id)

    def cross_reference_errors(self) -> list[CrossReferenceError]:
        """Every id that is defined twice or referenced but not defined, with its path."""
        errors: list[CrossReferenceError] = []
        errors += _duplicates("modbus", [b.id for b in self.modbus])
        errors += _duplicates("serial", [s.id for s in self.serial])
        errors += _duplicates("probes", [p.id for p in self.probes])
        errors += _duplicates("pasteurisers", [p.id for p in self.pasteurisers])
        errors += _duplicates("enclosures", [e.id for e in self.enclosures])
        errors += [CrossReferenceError(e.path, e.message) for e in register_errors(self)]
        buses = {b.id for b in self.modbus}
        lines = {s.id for s in self.serial}
        seen_registers: dict[tuple[str, int, str, int], str] = {}
        for i, probe in enumerate(self.probes):
            src, path = probe.source, f"probes[{i}].source"
            if isinstance(src, ModbusSource):
                if src.bus not in buses:
                    errors.append(_unknown(f"{path}.bus", "Modbus bus", src.bus, buses))
                key = (src.bus, src.unit_id, src.table, src.address)
                if key in seen_registers:
                    errors.append(
                        CrossReferenceError(
                            f"{path}.address",
                            f"register {src.address} of unit {src.unit_id} on {src.bus} is "
                            f"already probe {seen_registers[key]}",
                        )
                    )
                seen_registers[key] = probe.id
            elif isinstance(src, SerialSource) and src.line not in lines:
                errors.append(_unknown(f"{path}.line", "serial line", src.line, lines))
            elif isinstance(src, MqttSource) and self.mqtt is None:
                errors.append(CrossReferenceError(path, "an MQTT probe needs an [mqtt] section"))
        errors += self._equipment_probe_errors()
        return errors

    def _equipment_probe_errors(self) -> list[CrossReferenceError]:
        known = {p.id for p in self.probes}
        owner: dict[str, str] = {}
        errors: list[CrossReferenceError] = []
        uses: list[tuple[str, str, str]] = []
        for i, pasteuriser in enumerate(self.pasteurisers):
            for j, member in enumerate(pasteuriser.probes):
                uses.append((f"pasteurisers[{i}].probes[{j}].probe", member.probe, pasteuriser.id))
        for i, enclosure in enumerate(self.enclosures):
            for j, probe_id in enumerate(enclosure.probes):
                uses.append((f"enclosures[{i}].probes[{j}]", probe_id, enclosure.id))
        for path, probe_id, equipment in uses:
            if probe_id not in known:
                errors.append(_unknown(path, "probe", probe_id, known))
            elif probe_id in owner and owner[probe_id] != equipment:
                message = f"probe {probe_id} already belongs to {owner[probe_id]}"
                errors.append(CrossReferenceError(path, message))
            owner.setdefault(probe_id, equipment)
        return errors


def _duplicates(section: str, ids: list[str]) -> list[CrossReferenceError]:
    seen: set[str] = set()
    errors = []
    for i, ident in enumerate(ids):
        if ident in seen:
            errors.append(CrossReferenceError(f"{section}[{i}].id", f"duplicate id {ident!r}"))
        seen.add(ident)
    return errors


def _unknown(path: str, what: str, ident: str, known: set[str]) -> CrossReferenceError:
    choices = ", ".join(sorted(known)) or "none defined"
    return CrossReferenceError(path, f"unknown {what} {ident!r} (known: {choices})")


def settings_from_mapping(data: dict[str, Any]) -> Settings:
    """Validate a parsed TOML document (environment overrides applied on top)."""
    return Settings(**data)
