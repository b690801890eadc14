"""The settings file the command line of a test reads to find a running daemon: its TCP port
and its Unix socket, as the daemon's own settings file would say."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from monitor.service.daemon import Daemon


def cli_config(path: Path, daemon: Daemon) -> Path:
    socket = f'unix_socket = "{daemon.api_socket}"\n' if daemon.api_socket else ""
    port = urlsplit(daemon.api_url).port
    path.write_text(f'[web]\nhost = "127.0.0.1"\nport = {port}\n{socket}')
    return path
