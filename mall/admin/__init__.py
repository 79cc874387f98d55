"""The operators' screens of the mall (Django admin). Every action calls a service in mall.services; no
screen writes a stock number or an order state (core/admintools.py saves
edited rows with only the columns that changed)."""

from mall.admin import catalog, orders, stock  # noqa: F401 - registers the model admins
