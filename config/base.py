"""Shared building blocks of the settings models: strict base model, ids, numbers, secrets.

Numbers and flags are strict: ``port = "15020"`` is refused rather than guessed at, because
text where a number belongs is a sign the line was not written as meant. The environment
is the exception: every ``LACTAMON_*`` value is text, so ``EnvironmentSource`` marks what it
reads as ``EnvText`` and the number and flag types read those from text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, StringConstraints
from pydantic_settings import EnvSettingsSource

ENV_PREFIX = "LACTAMON_"
ENV_NESTED_DELIMITER = "__"

_INTEGER_TEXT = re.compile(r"[+-]?\d+")
_DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class EnvText(str):
    """Text read from a ``LACTAMON_*`` variable, which a number or flag field may parse."""

    __slots__ = ()


def _integer(value: Any) -> Any:
    if isinstance(value, EnvText) and _INTEGER_TEXT.fullmatch(value.strip()):
        return int(value)
    if isinstance(value, str) and not isinstance(value, EnvText):
        raise ValueError(f"write the number without quotes ({value!r} is text)")
    return value


def _decimal(value: Any) -> Any:
    if isinstance(value, EnvText) and _DECIMAL_TEXT.fullmatch(value.strip()):
        return float(value)
    if isinstance(value, str) and not isinstance(value, EnvText):
        raise ValueError(f"write the number without quotes ({value!r} is text)")
    return value


def _flag(value: Any) -> Any:
    if isinstance(value, EnvText) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, str) and not isinstance(value, EnvText):
        raise ValueError(f"write true or false without quotes ({value!r} is text)")
    return value


# Strict after the text check: a bool is not an integer, 3.5 is not rounded to 3.
Integer = Annotated[int, BeforeValidator(_integer), Field(strict=True)]
Number = Annotated[float, BeforeValidator(_decimal), Field(strict=True, allow_inf_nan=False)]
Flag = Annotated[bool, BeforeValidator(_flag), Field(strict=True)]

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"),
    Field(description="letters, digits, '_', '.', '-'; at most 64 characters"),
]
PositiveSeconds = Annotated[Number, Field(gt=0)]
Celsius = Annotated[Number, Field(ge=-100, le=150)]


class Strict(BaseModel):
    """Every settings model forbids unknown keys: a typo must never silently drop a probe."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class EnvironmentSource(EnvSettingsSource):
    """The ``LACTAMON_*`` variables, every text in them marked as ``EnvText``."""

    def __call__(self) -> dict[str, Any]:
        marked = _mark(super().__call__())
        assert isinstance(marked, dict)
        return marked


def _mark(value: Any) -> Any:
    if isinstance(value, str):
        return EnvText(value)
    if isinstance(value, dict):
        return {key: _mark(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mark(item) for item in value]
    return value


def environment_variable(
    loc: Sequence[int | str], environ: Mapping[str, str] | None = None
) -> str | None:
    """The ``LACTAMON_*`` variable that set the value at ``loc``, or None (the file set it).

    ``("mqtt", "port")`` is ``LACTAMON_MQTT__PORT``, or ``LACTAMON_MQTT`` when the whole
    table came as JSON; a list comes whole from one variable. Names match without regard to
    case, as the settings read them.
    """
    names = {name.upper(): name for name in (os.environ if environ is None else environ)}
    keys: list[str] = []
    for part in loc:
        if not isinstance(part, str):
            break
        keys.append(part)
    for depth in range(len(keys), 0, -1):
        wanted = (ENV_PREFIX + ENV_NESTED_DELIMITER.join(keys[:depth])).upper()
        if wanted in names:
            return names[wanted]
    return None


def read_secret(value: SecretStr | None, file: Path | None, what: str) -> str | None:
    """The secret given inline or in a file (first line, stripped); never both.

    A file must not be readable by group or others: a secret in a world-readable file is a
    secret no longer.
    """
    if value is not None and file is not None:
        raise ValueError(f"{what}: give the secret inline or as a file, not both")
    if value is not None:
        return value.get_secret_value()
    if file is None:
        return None
    try:
        mode = file.stat().st_mode
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{what}: cannot read secret file {file}: {exc.strerror}") from exc
    if mode & 0o077 and os.name == "posix":
        raise ValueError(f"{what}: secret file {file} is readable by others (chmod 600 it)")
    return text.strip()
