"""What a user name, a new password and signed text must be; each check says what is wrong,
or None."""

from __future__ import annotations

from monitor.journal.errors import RecordError
from monitor.journal.record import check_value

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
MIN_PASSWORD_CHARS = 10


def valid_username(username: str) -> bool:
    """1 to 64 lower-case letters, digits, '.', '_' or '-'."""
    return 0 < len(username) <= 64 and not set(username) - USERNAME_CHARS


def username_problem(username: str) -> str | None:
    if valid_username(username):
        return None
    return f"user name {username!r}: use 1 to 64 lower-case letters, digits, '.', '_' or '-'"


def password_problem(password: str) -> str | None:
    if len(password) >= MIN_PASSWORD_CHARS:
        return None
    return f"password too short: at least {MIN_PASSWORD_CHARS} characters"


def text_problem(what: str, text: str) -> str | None:
    """Text the journal can hold (valid Unicode, no NUL): names and comments reach it."""
    try:
        check_value(what, text)
    except RecordError as exc:
        return str(exc).removeprefix("field ")
    return None
