"""The single permission gate every service method goes through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from youthcase.domain.roles import ROLE_PERMISSIONS, Permission
from youthcase.services.errors import PasswordChangeRequired, PermissionDenied

if TYPE_CHECKING:
    from youthcase.services.vault import Actor


def allowed(actor: Actor, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[actor.role]


def require(actor: Actor, permission: Permission) -> None:
    """Refuse unless the role allows it; a temporary password must be changed before anything."""
    if actor.must_change_password:
        raise PasswordChangeRequired()
    if not allowed(actor, permission):
        raise PermissionDenied(f"a {actor.role.label.lower()} may not {permission.value}")
