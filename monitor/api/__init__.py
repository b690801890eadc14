"""The daemon's local HTTP API: what the CLI (and later the web UI) asks the daemon to do."""
