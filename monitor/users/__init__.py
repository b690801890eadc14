"""People who use lactamon: roles, argon2id passwords, throttled sign-in, audit of changes."""

from monitor.users.roles import Permission, Role, allowed
from monitor.users.store import AuthError, NotPermitted, Throttled, User, UserError, UserStore

__all__ = [
    "AuthError",
    "NotPermitted",
    "Permission",
    "Role",
    "Throttled",
    "User",
    "UserError",
    "UserStore",
    "allowed",
]
