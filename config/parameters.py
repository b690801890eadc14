"""Settings checked by the rules themselves: build the evaluation parameters they stand for.

Every default and every check of the rules lives in ``monitor.evaluation.params``; a
settings model does not restate them, it builds the parameter values from its fields and
lets their constructors refuse what is wrong. A settings file is then refused exactly when
the rules would refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

MINUTE_S = 60.0  # the settings count durations in minutes, the parameters in seconds


def check_as_parameters(build: Callable[[], object], names: Mapping[str, str] = {}) -> None:
    """Run ``build`` (a parameter constructor with its values) and re-raise what it refuses.

    The rules' messages name parameters; ``names`` maps each parameter to the setting that
    feeds it, so that the person editing the file recognises the key (durations are told in
    seconds and minutes alike, so a renamed duration still reads right).
    """
    try:
        build()
    except ValueError as exc:
        message = str(exc)
        for parameter, setting in names.items():
            message = re.sub(rf"\b{re.escape(parameter)}\b", setting, message)
        raise ValueError(message) from None
