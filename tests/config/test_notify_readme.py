"""The README's notification examples are settings lactamon takes, as written."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from config import Settings

README = Path(__file__).parents[2] / "README.md"


def test_every_toml_block_of_the_notifications_section_validates_together() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Notifications", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 6
    data = tomllib.loads("\n".join(blocks))
    settings = Settings.model_validate({"notify": data["notify"]})
    n = settings.notify
    assert n.configured() == {"email", "webhook", "command", "relay"}
    assert n.policies["critical"].then == ["next"]
    assert n.heartbeat is not None
    assert n.keepalive is not None
