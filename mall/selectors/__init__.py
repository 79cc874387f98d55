"""Reads shaped for the mall's pages and API: each costs a fixed number of queries whatever its size.

Lists page with ``core.keyset`` directly. The mall's cursors are signed under salts that start with
``CURSOR_SALT`` and name their list (a cursor of one list is refused by any other), and a page holds at
most ``PAGE_SIZE_MAX`` items.
"""

CURSOR_SALT = "mall.paging"
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 60
