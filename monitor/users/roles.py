"""Roles and what each may do (docs/RULES.md, People)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"
    INSPECTOR = "inspector"


class Permission(StrEnum):
    START_CYCLE = "start_cycle"
    ACKNOWLEDGE = "acknowledge"
    # Alarms about the record itself (``journal:*``): only a supervisor may acknowledge them.
    ACKNOWLEDGE_INTEGRITY = "acknowledge_integrity"
    SIGN_SHEET = "sign_sheet"
    SHELVE = "shelve"
    RELEASE_LOT = "release_lot"
    REVIEW = "review"
    MANAGE_USERS = "manage_users"
    READ = "read"


_GRANTS: dict[Role, frozenset[Permission]] = {
    # Technician: starts cycles and links lots, acknowledges alarms, signs the daily sheets.
    Role.TECHNICIAN: frozenset(
        {Permission.START_CYCLE, Permission.ACKNOWLEDGE, Permission.SIGN_SHEET, Permission.READ}
    ),
    # Supervisor: all a technician does, plus releases, reviews, shelving and users.
    Role.SUPERVISOR: frozenset(Permission),
    # Inspector: reads and exports, verifies signatures; changes nothing.
    Role.INSPECTOR: frozenset({Permission.READ}),
}


def allowed(role: Role, permission: Permission) -> bool:
    return permission in _GRANTS[role]
