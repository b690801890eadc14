"""Roles and what each may do (docs/RULES.md, People)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"
    INSPECTOR = "inspector"
    # A wall screen: the overview and nothing else; a person signs in as herself to act.
    KIOSK = "kiosk"


class Permission(StrEnum):
    START_CYCLE = "start_cycle"
    ACKNOWLEDGE = "acknowledge"
    # Alarms about the record itself (``journal:*``): only a supervisor may acknowledge them.
    ACKNOWLEDGE_INTEGRITY = "acknowledge_integrity"
    SIGN_SHEET = "sign_sheet"
    SHELVE = "shelve"
    # The lot's life but its release and decisions: controls, storage, distribution, destruction.
    HANDLE_LOT = "handle_lot"
    RELEASE_LOT = "release_lot"
    REVIEW = "review"
    MANAGE_USERS = "manage_users"
    READ = "read"
    # The overview (tiles, banner, live values): what a wall screen shows.
    VIEW_OVERVIEW = "view_overview"


_GRANTS: dict[Role, frozenset[Permission]] = {
    # Technician: starts cycles and links lots, handles lots (stores, distributes, destroys),
    # acknowledges alarms, signs the daily sheets.
    Role.TECHNICIAN: frozenset(
        {
            Permission.START_CYCLE,
            Permission.HANDLE_LOT,
            Permission.ACKNOWLEDGE,
            Permission.SIGN_SHEET,
            Permission.READ,
            Permission.VIEW_OVERVIEW,
        }
    ),
    # Supervisor: all a technician does, plus releases, reviews, shelving and users.
    Role.SUPERVISOR: frozenset(Permission),
    # Inspector: reads and exports, verifies signatures; changes nothing.
    Role.INSPECTOR: frozenset({Permission.READ, Permission.VIEW_OVERVIEW}),
    # Kiosk: the overview only; it acknowledges nothing and reads no record.
    Role.KIOSK: frozenset({Permission.VIEW_OVERVIEW}),
}


def allowed(role: Role, permission: Permission) -> bool:
    return permission in _GRANTS[role]
