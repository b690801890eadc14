"""Asking for passwords: hidden at a terminal, one line each from a pipe for scripts."""

from __future__ import annotations

import getpass
import sys

from monitor.cli.errors import CliError


def ask_password(prompt: str) -> str:
    """A password typed at the terminal, or the next line of standard input when piped."""
    if sys.stdin.isatty():
        try:
            return getpass.getpass(prompt)
        except EOFError:
            raise CliError("no password given") from None
    line = sys.stdin.readline()
    if not line:
        raise CliError(f"{prompt.strip().rstrip(':')}: no password on standard input")
    return line.rstrip("\r\n")


def ask_new_password(prompt: str) -> str:
    """A new password, asked twice at a terminal to catch a typing slip."""
    first = ask_password(prompt)
    if sys.stdin.isatty() and ask_password("again: ") != first:
        raise CliError("the two passwords differ")
    return first
