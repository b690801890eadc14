"""Acknowledge several alarms with one comment and one password: the password is checked
once, and each alarm gets its own signed transition in the journal, as if acknowledged
alone (``ServiceFacade.acknowledge``); one refused does not stop the others."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.alarms import AlarmError
from monitor.alarms.model import supervisor_acknowledges
from monitor.service.facade import ServiceFacade, signed
from monitor.users import Permission, allowed

MEANING = "acknowledged"


@dataclass(frozen=True, slots=True)
class Outcome:
    key: str
    done: bool
    why: str = ""


async def acknowledge_many(
    service: ServiceFacade, username: str, password: str, keys: list[str], comment: str
) -> list[Outcome]:
    """Each of ``keys`` acknowledged by ``username`` (password checked once, off the loop)."""
    user = await service.users.authorise_off_loop(
        service.clock.now_ns(), username, password, Permission.ACKNOWLEDGE
    )
    now = service.clock.now_ns()  # after the check: never stamped before what the loop did
    outcomes = []
    for key in keys:
        if supervisor_acknowledges(key) and not allowed(
            user.role, Permission.ACKNOWLEDGE_INTEGRITY
        ):
            outcomes.append(
                Outcome(
                    key,
                    False,
                    f"only a supervisor may acknowledge alarm {key}: "
                    "it says the journal may not be the lab's true record",
                )
            )
            continue
        try:
            service.desk.acknowledge(now, key, signed(user, MEANING, comment))
        except AlarmError as exc:  # unknown, or nothing to acknowledge any more
            outcomes.append(Outcome(key, False, str(exc)))
            continue
        outcomes.append(Outcome(key, True))
    return outcomes
