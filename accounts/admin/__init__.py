"""Accounts' operators' screens (Django admin), on the shared toolkit core/admintools.py."""

from accounts.admin import users  # noqa: F401 - registers the model admins
