"""Read a settings file and turn every problem into a message that names its TOML path."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from config.base import environment_variable
from config.settings import CrossReferenceErrors, Settings, settings_from_mapping

DEFAULT_CONFIG_PATH = Path(os.environ.get("LACTAMON_CONFIG", "/etc/lactamon/lactamon.toml"))

# Tags of discriminated unions appear in pydantic's error locations; a person editing the
# TOML file never wrote them, so they are left out of the path shown.
_UNION_TAGS = frozenset({"modbus", "serial", "mqtt", "tcp", "rtu"})
# Where a value sits (a pydantic-style location) and what it is ("a table", "an array").
_Found = tuple[tuple[int | str, ...], str]


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a settings file: where (TOML path) and what."""

    path: str
    message: str
    variable: str | None = None  # the LACTAMON_* variable that set the value, if one did

    def __str__(self) -> str:
        if self.variable:
            return f"{self.variable} (environment variable): {self.message}"
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """The settings cannot be used; ``issues`` lists every problem found."""

    def __init__(self, source: str, issues: list[ConfigIssue]) -> None:
        if issues and all(issue.variable for issue in issues):
            source = "the environment (LACTAMON_* variables)"
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
    except (RecursionError, ValueError) as exc:
        raise ConfigError(str(path), [ConfigIssue("", unreadable_toml(text, exc))]) from None
    # The folder as the kernel would walk it from here: symbolic links and ".." settled once.
    folder = path.absolute().parent.resolve()
    return validate_mapping(resolve_relative_paths(data, folder), str(path))


def unreadable_toml(text: str, exc: RecursionError | ValueError) -> str:
    """What tomllib lets out other than a ``TOMLDecodeError``, said as one, with its line.

    It reads nested arrays and inline tables by recursion, so a deep enough nesting runs out
    of stack; and Python refuses to turn more than ``sys.get_int_max_str_digits()`` digits
    into an integer.
    """
    if isinstance(exc, RecursionError):
        return f"not valid TOML: nested too deeply to read (at line {_deepest_line(text)})"
    limit = sys.get_int_max_str_digits()
    digits = re.search(rf"[0-9_]{{{limit + 1},}}", text)
    if digits is None:
        return f"not valid TOML: {exc}"
    line = text.count("\n", 0, digits.start()) + 1
    return f"not valid TOML: an integer of more than {limit} digits (at line {line})"


# Strings and comments, whose brackets do not nest, then brackets and line ends.
_NESTING_TOKEN = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}\n]',
    re.DOTALL,
)


def _deepest_line(text: str) -> int:
    depth = deepest = 0
    line = at = 1
    for match in _NESTING_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest, at = depth, line
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
        line += token.count("\n")
    return at


def resolve_relative_paths(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """``data`` with every relative path setting joined to ``folder`` (the settings file's).

    A settings file names its journal, key and secrets as it sees them, so the service finds
    them whatever directory it is started from. Only the file's values change: a relative
    path given in a ``LACTAMON_*`` variable arrives later and stays relative to the working
    directory, as anything typed in a shell is.
    """
    return _in_model(data, Settings, folder)


def _in_model(data: dict[str, Any], model: type[BaseModel], folder: Path) -> dict[str, Any]:
    out = dict(data)
    for name, field in model.model_fields.items():
        if name in out:
            out[name] = _in_value(out[name], field.annotation, folder)
    return out


def _in_value(value: Any, annotation: Any, folder: Path) -> Any:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _in_value(value, get_args(annotation)[0], folder)
    if origin is list and isinstance(value, list):
        return [_in_value(item, get_args(annotation)[0], folder) for item in value]
    if origin is dict and isinstance(value, dict):
        item_type = get_args(annotation)[1]
        return {key: _in_value(item, item_type, folder) for key, item in value.items()}
    members = _members(annotation)
    if Path in members and isinstance(value, str) and not Path(value).is_absolute():
        return str(folder / value)
    if isinstance(value, dict):
        model = _model_for(members, value)
        if model is not None:
            return _in_model(value, model, folder)
    return value


def _members(annotation: Any) -> list[Any]:
    """The types an annotation allows: ``A | B | None`` → ``[A, B]``, ``A`` → ``[A]``."""
    if get_origin(annotation) in (Union, UnionType):
        found = []
        for member in get_args(annotation):
            if get_origin(member) is Annotated:
                member = get_args(member)[0]
            found += _members(member)
        return [m for m in found if m is not NoneType]
    return [annotation]


def _model_for(members: list[Any], value: dict[str, Any]) -> type[BaseModel] | None:
    """The model a table is for; in a tagged union, the one whose ``kind`` it names."""
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(models) == 1:
        return models[0]
    for model in models:
        kind = model.model_fields.get("kind")
        if kind is not None and value.get("kind") in get_args(kind.annotation):
            return model
    # An unknown tag: validation names it, and no path of this table matters any more.
    return None


def validate_mapping(data: dict[str, object], source: str) -> Settings:
    """Validate parsed settings; collect field errors first, then cross-references."""
    try:
        return settings_from_mapping(dict(data))
    except ValidationError as exc:
        raise ConfigError(source, issues_from_validation(exc)) from None
    except TypeError as exc:
        # A model's own check on the raw table can look a value up among names (an
        # enclosure's kind among its defaults); a table or an array there is unhashable,
        # and pydantic passes that TypeError on as it is, with no location.
        raise ConfigError(source, misplaced_values(data, exc)) from None


def misplaced_values(data: dict[str, object], exc: TypeError) -> list[ConfigIssue]:
    """Every table or array in ``data`` where the settings take one value, by its path."""
    found = [
        ConfigIssue(
            toml_path(loc), f"{what} where a single value belongs", environment_variable(loc)
        )
        for loc, what in _misplaced(data, Settings, ())
    ]
    # Not one of the file's values (a LACTAMON_* variable's, then): the error as it came.
    return found or [ConfigIssue("", f"cannot be read as settings ({exc})")]


def _misplaced(value: object, annotation: Any, loc: tuple[int | str, ...]) -> Iterator[_Found]:
    if get_origin(annotation) is Annotated:
        yield from _misplaced(value, get_args(annotation)[0], loc)
        return
    members = _members(annotation)
    if Any in members or not isinstance(value, list | dict):
        return
    if isinstance(value, list):
        arrays = [m for m in members if get_origin(m) in (list, tuple, set, frozenset)]
        if not arrays:
            yield loc, "an array"
            return
        item_type = (get_args(arrays[0]) or (Any,))[0]
        for index, item in enumerate(value):
            yield from _misplaced(item, item_type, (*loc, index))
        return
    tables = [m for m in members if get_origin(m) is dict]
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    if tables:
        item_type = (get_args(tables[0]) or (Any, Any))[1]
        for key, item in value.items():
            yield from _misplaced(item, item_type, (*loc, key))
    elif not models:
        yield loc, "a table"
    else:
        # An unknown tag leaves the model open: each key is read as the first model has it.
        chosen = _model_for(members, value)
        for key, item in value.items():
            owners = [m for m in ([chosen] if chosen else models) if key in m.model_fields]
            if owners:
                yield from _misplaced(item, owners[0].model_fields[key].annotation, (*loc, key))


def issues_from_validation(exc: ValidationError) -> list[ConfigIssue]:
    issues = []
    for error in exc.errors(include_url=False):
        ctx_error = (error.get("ctx") or {}).get("error")
        if isinstance(ctx_error, CrossReferenceErrors):
            issues += [ConfigIssue(e.path, e.message) for e in ctx_error.errors]
            continue
        where = toml_path(error["loc"])
        issues.append(ConfigIssue(where, _message(error), environment_variable(error["loc"])))
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
