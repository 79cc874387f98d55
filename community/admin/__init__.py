"""The operators' screens of the community (Django admin, on the shared toolkit core/admintools.py):
``moderation`` (the report queue), ``notes`` (notes with their topics and boards), ``comments``,
``trust`` (brand partnerships and the undeclared-partnership queue) and ``demand`` (buzz against sales
and stock). Everything here reads; changes are actions calling one service per row, and counters are
never edited by hand (the hourly recompute fixes any drift)."""

from community.admin import comments, demand, moderation, notes, trust  # noqa: F401 - registers the model admins
