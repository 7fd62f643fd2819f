"""Authentication backend: Django's password check, without Django's table-based permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Checks usernames and passwords; grants nothing. Kefu's permissions are the rules of each app's
    `rules.py` (by role, department and team), so reading the permission tables would cost two queries
    on every request that asks for a permission the rules refuse, and could only ever find nothing."""

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()
