"""Keyset pagination, one mechanism for every app: never OFFSET; cursors opaque and signed.

A list is ordered by a few keys that end with a unique one (``("-hot_score", "-id")``). A page ends with
the keys of its last row, packed into a cursor that the client hands back; the next page starts strictly
after it. Ties on the leading key are broken by the unique one, so no row repeats and none is skipped,
however pages interleave with writes.

The cursor is signed so that nobody can hand the database arbitrary values (or learn anything from the
shape of a cursor); a tampered or foreign cursor is a 400, not a 500. Money keys travel as strings
(JSON has no Decimal) and come back as Decimal. Each list signs its cursors under its own salt (the app,
the list and what it is filtered on), so a cursor of one list is refused by every other.

Pages use ``keyset_page`` directly; the API shapes a page with core/pagination.py; search's relevance
pages, whose cursor is not a row's keys, sign their state with ``cursor_encode``/``cursor_decode``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError

T = TypeVar("T")

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100


class BadCursor(DomainError):
    code = "bad_cursor"


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _plain(value):
    return {"d": str(value)} if isinstance(value, Decimal) else value


def _typed(value):
    return Decimal(value["d"]) if isinstance(value, dict) and set(value) == {"d"} else value


def _out_of_date() -> BadCursor:
    return BadCursor(_("This page link is out of date. Start again from the top."))


def cursor_encode(values: Sequence, *, salt: str) -> str:
    return signing.Signer(salt=salt).sign_object([_plain(v) for v in values], compress=True)


def cursor_decode(cursor: str | None, *, salt: str, size: int) -> list | None:
    """The key values packed in ``cursor`` (None for the first page); BadCursor if it is not ours."""
    if not cursor:
        return None
    try:
        values = signing.Signer(salt=salt).unsign_object(cursor)
    except (signing.BadSignature, ValueError, TypeError):
        raise _out_of_date() from None
    if not isinstance(values, list) or len(values) != size:
        raise _out_of_date()
    try:
        return [_typed(v) for v in values]
    except ArithmeticError:
        raise _out_of_date() from None


def page_size_parse(value, *, default: int = PAGE_SIZE_DEFAULT, maximum: int = PAGE_SIZE_MAX) -> int:
    """A page size asked for in a query string: ``default`` when missing or not a number, else 1..maximum."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(size, maximum))


def keyset_after(keys: Sequence[str], values: Sequence) -> Q:
    """Rows strictly after ``values`` in the order ``keys``.

    For (-a, -b) that is ``a <= x AND (a < x OR b < y)``: the leading inequality stays a range condition
    the index can seek to, and only ties on ``a`` are filtered by ``b``.
    """
    names = [k.lstrip("-") for k in keys]
    descending = [k.startswith("-") for k in keys]

    def strictly(i: int) -> Q:
        return Q(**{f"{names[i]}__{'lt' if descending[i] else 'gt'}": values[i]})

    def after(i: int) -> Q:
        if i == len(keys) - 1:
            return strictly(i)
        return strictly(i) | (Q(**{names[i]: values[i]}) & after(i + 1))

    if len(keys) == 1:
        return after(0)
    leading = Q(**{f"{names[0]}__{'lte' if descending[0] else 'gte'}": values[0]})
    return leading & after(0)


def keyset_page(
    qs: QuerySet, *, keys: Sequence[str], cursor: str | None, size: int, salt: str, key_of=None
) -> Page:
    """One page of ``qs`` ordered by ``keys`` (the last key unique), starting after ``cursor``.

    ``key_of(row)`` gives the key values of a row (default: the attributes named by ``keys``). One
    query: it fetches ``size + 1`` rows to learn whether another page follows.
    """
    values = cursor_decode(cursor, salt=salt, size=len(keys))
    if values is not None:
        qs = qs.filter(keyset_after(keys, values))
    rows = list(qs.order_by(*keys)[: size + 1])
    items, more = rows[:size], len(rows) > size
    next_cursor = None
    if more and items:
        last = items[-1]
        last_values = key_of(last) if key_of else [getattr(last, k.lstrip("-")) for k in keys]
        next_cursor = cursor_encode(last_values, salt=salt)
    return Page(items=items, next_cursor=next_cursor)
