"""Keyset pagination for the mall's lists: never OFFSET; cursors opaque and signed.

A list is ordered by keys ending with a unique one (``("min_price", "id")``). A page ends with the key
values of its last row packed into a signed cursor; the next page starts strictly after them, so rows
never repeat or go missing however pages interleave with writes. A tampered cursor is a 400.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 60


class BadCursor(DomainError):
    code = "bad_cursor"


@dataclass
class Page:
    items: list
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _signer(salt: str) -> signing.Signer:
    return signing.Signer(salt=f"mall.paging.{salt}")


def _plain(value):
    # Money keys travel as strings (JSON has no Decimal) and come back as Decimal for the comparison.
    return {"d": str(value)} if isinstance(value, Decimal) else value


def _typed(value):
    return Decimal(value["d"]) if isinstance(value, dict) and set(value) == {"d"} else value


def cursor_encode(values: Sequence, *, salt: str) -> str:
    return _signer(salt).sign_object([_plain(v) for v in values], compress=True)


def cursor_decode(cursor: str | None, *, salt: str, size: int) -> list | None:
    if not cursor:
        return None
    try:
        values = _signer(salt).unsign_object(cursor)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadCursor(_("This page link is out of date. Start again from the top.")) from None
    if not isinstance(values, list) or len(values) != size:
        raise BadCursor(_("This page link is out of date. Start again from the top."))
    try:
        return [_typed(v) for v in values]
    except ArithmeticError:
        raise BadCursor(_("This page link is out of date. Start again from the top.")) from None


def page_size_parse(value, *, default: int = PAGE_SIZE_DEFAULT) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(size, PAGE_SIZE_MAX))


def _after_q(keys: Sequence[str], values: Sequence) -> Q:
    """Rows strictly after ``values`` in the order ``keys`` (a leading range the index can seek to)."""
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


def keyset_page(qs: QuerySet, *, keys: Sequence[str], cursor: str | None, size: int, salt: str) -> Page:
    """One page of ``qs`` ordered by ``keys`` after ``cursor``, in one query (``size + 1`` rows)."""
    values = cursor_decode(cursor, salt=salt, size=len(keys))
    if values is not None:
        qs = qs.filter(_after_q(keys, values))
    rows = list(qs.order_by(*keys)[: size + 1])
    items, more = rows[:size], len(rows) > size
    next_cursor = None
    if more and items:
        last = items[-1]
        next_cursor = cursor_encode([getattr(last, k.lstrip("-")) for k in keys], salt=salt)
    return Page(items=items, next_cursor=next_cursor)
