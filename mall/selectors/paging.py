"""Keyset pagination for the mall's lists: the mechanism is ``core.keyset``; this module namespaces the
mall's cursors and caps its page sizes."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from core import keyset
from core.keyset import BadCursor, Page

__all__ = ["BadCursor", "Page", "cursor_decode", "cursor_encode", "keyset_page", "page_size_parse"]

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 60


def _salt(salt: str) -> str:
    return f"mall.paging.{salt}"


def cursor_encode(values: Sequence, *, salt: str) -> str:
    return keyset.cursor_encode(values, salt=_salt(salt))


def cursor_decode(cursor: str | None, *, salt: str, size: int) -> list | None:
    return keyset.cursor_decode(cursor, salt=_salt(salt), size=size)


def page_size_parse(value, *, default: int = PAGE_SIZE_DEFAULT) -> int:
    return keyset.page_size_parse(value, default=default, maximum=PAGE_SIZE_MAX)


def keyset_page(qs: QuerySet, *, keys: Sequence[str], cursor: str | None, size: int, salt: str) -> Page:
    return keyset.keyset_page(qs, keys=keys, cursor=cursor, size=size, salt=_salt(salt))
