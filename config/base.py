"""Shared building blocks of the settings models: strict base model, ids, secrets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"),
    Field(description="letters, digits, '_', '.', '-'; at most 64 characters"),
]
PositiveSeconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Celsius = Annotated[float, Field(ge=-100, le=150, allow_inf_nan=False)]


class Strict(BaseModel):
    """Every settings model forbids unknown keys: a typo must never silently drop a probe."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


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
