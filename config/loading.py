"""Read a settings file and turn every problem into a message that names its TOML path."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from config.settings import CrossReferenceErrors, Settings, settings_from_mapping

DEFAULT_CONFIG_PATH = Path(os.environ.get("LACTAMON_CONFIG", "/etc/lactamon/lactamon.toml"))

# Tags of discriminated unions appear in pydantic's error locations; a person editing the
# TOML file never wrote them, so they are left out of the path shown.
_UNION_TAGS = frozenset({"modbus", "serial", "mqtt", "tcp", "rtu"})


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a settings file: where (TOML path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """The settings cannot be used; ``issues`` lists every problem found."""

    def __init__(self, source: str, issues: list[ConfigIssue]) -> None:
        self.source = source
        self.issues = issues
        lines = "\n".join(f"  {issue}" for issue in issues)
        super().__init__(f"{source}: {len(issues)} problem(s)\n{lines}")


def load_settings(path: Path | str) -> Settings:
    """Read, parse and validate a settings file, or raise ``ConfigError`` listing every problem."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), [ConfigIssue("", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [ConfigIssue("", f"cannot read: {exc}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [ConfigIssue("", f"not valid TOML: {exc}")]) from None
    return validate_mapping(data, str(path))


def validate_mapping(data: dict[str, object], source: str) -> Settings:
    """Validate parsed settings; collect field errors first, then cross-references."""
    try:
        return settings_from_mapping(dict(data))
    except ValidationError as exc:
        raise ConfigError(source, issues_from_validation(exc)) from None


def issues_from_validation(exc: ValidationError) -> list[ConfigIssue]:
    issues = []
    for error in exc.errors(include_url=False):
        ctx_error = (error.get("ctx") or {}).get("error")
        if isinstance(ctx_error, CrossReferenceErrors):
            issues += [ConfigIssue(e.path, e.message) for e in ctx_error.errors]
            continue
        issues.append(ConfigIssue(toml_path(error["loc"]), _message(error)))
    return issues


def toml_path(loc: tuple[int | str, ...]) -> str:
    """``('enclosures', 2, 'band')`` → ``enclosures[2].band``."""
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _is_internal(part, previous):
            out += ("." if out else "") + part
        previous = part
    return out


def _is_internal(part: str, previous: int | str | None) -> bool:
    """Parts of a pydantic location that name its machinery rather than a TOML key."""
    tag = part in _UNION_TAGS and (isinstance(previous, int) or previous == "source")
    return tag or part.startswith(("function-", "tagged-union"))


def _message(error: object) -> str:
    assert isinstance(error, dict)
    message = str(error.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if error.get("type") == "extra_forbidden":
        message = "unknown key (not a setting; check the spelling)"
    elif error.get("type") == "missing":
        message = "required key is missing"
    return message
