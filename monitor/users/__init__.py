"""People who use lactamon: roles, argon2id passwords, throttled sign-in, audit of changes."""

from monitor.users.roles import Permission, Role, allowed
from monitor.users.store import AuthError, User, UserError, UserStore

__all__ = ["AuthError", "Permission", "Role", "User", "UserError", "UserStore", "allowed"]
