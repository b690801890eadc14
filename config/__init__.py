"""Settings of a lactamon site: pydantic models read from TOML with LACTAMON_* overrides."""

from config.loading import DEFAULT_CONFIG_PATH, ConfigError, ConfigIssue, load_settings
from config.settings import Settings

__all__ = ["DEFAULT_CONFIG_PATH", "ConfigError", "ConfigIssue", "Settings", "load_settings"]
