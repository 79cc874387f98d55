"""Search, by what it finds: ``notes`` (full text, five sorts), ``people`` (users and topics by name) and
``suggestions`` (while typing).

Every list pages with a signed keyset cursor (core/keyset.py, under ``community.search.*`` salts), never
OFFSET, and costs a fixed number of queries whatever the page size: notes one query plus the viewer's
likes and collects (relevance one more on its first page: the newest id, where its candidate windows
start), users one, topics one, suggestions three. A query with nothing searchable left after
segmentation costs none. Figures: benchmarks/results/search.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from community.selectors.notes import ViewerState

PAGE_SIZE = 20
PAGE_SIZE_MAX = 50


def cursor_salt(kind: str) -> str:
    """The salt a list's cursors are signed under: a cursor of one list (or sort) is refused by another."""
    return f"community.search.{kind}"


@dataclass
class SearchPage:
    """One page of results. ``state`` is the viewer's likes and collects (notes only)."""

    items: list
    next_cursor: str | None = None
    state: ViewerState = field(default_factory=ViewerState)
    searched: bool = True
