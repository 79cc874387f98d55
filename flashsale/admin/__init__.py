"""The operators' screens of the flash sale (Django admin, on the shared toolkit core/admintools.py):
``sales`` (the sale list, its form and the live console per sale), ``actions`` (what each console button
and list action does: one service call each) and ``reminders`` (read-only)."""

from flashsale.admin import reminders, sales  # noqa: F401 - registers the model admins
