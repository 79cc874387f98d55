"""Keyset pagination for pages and the API: never OFFSET, cursors opaque and signed.

A list is ordered by a few keys that end with a unique one (``("-hot_score", "-id")``). A page ends with
the keys of its last row, packed into a cursor that the client hands back; the next page starts strictly
after it. Ties on the leading key are broken by the unique one, so no row repeats and none is skipped,
however pages interleave with writes.

The cursor is signed so that nobody can hand the database arbitrary values (or learn anything from the
shape of a cursor); a tampered or foreign cursor is a 400, not a 500.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

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


def _signer(salt: str) -> signing.Signer:
    return signing.Signer(salt=f"community.pagination.{salt}")


def cursor_encode(values: Sequence, *, salt: str) -> str:
    return _signer(salt).sign_object(list(values), compress=True)


def cursor_decode(cursor: str | None, *, salt: str, size: int) -> list | None:
    """The key values packed in ``cursor`` (None for the first page); BadCursor if it is not ours."""
    if not cursor:
        return None
    try:
        values = _signer(salt).unsign_object(cursor)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadCursor(_("This page link is out of date. Start again from the top.")) from None
    if not isinstance(values, list) or len(values) != size:
        raise BadCursor(_("This page link is out of date. Start again from the top."))
    return values


def page_size_parse(value, *, default: int = PAGE_SIZE_DEFAULT) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(size, PAGE_SIZE_MAX))


def _after_q(keys: Sequence[str], values: Sequence) -> Q:
    """Rows strictly after ``values`` in the order ``keys``.

    For (-a, -b) that is ``a <= x AND (a < x OR b < y)``: the leading inequality stays a range condition
    the index can seek to, and only ties on ``a`` are filtered by ``b``.
    """
    names = [k.lstrip("-") for k in keys]
    descending = [k.startswith("-") for k in keys]

    def strictly(i: int) -> Q:
        op = "lt" if descending[i] else "gt"
        return Q(**{f"{names[i]}__{op}": values[i]})

    def after(i: int) -> Q:
        if i == len(keys) - 1:
            return strictly(i)
        return strictly(i) | (Q(**{names[i]: values[i]}) & after(i + 1))

    leading = Q(**{f"{names[0]}__{'lte' if descending[0] else 'gte'}": values[0]})
    return leading & after(0) if len(keys) > 1 else after(0)


def keyset_page(
    qs: QuerySet,
    *,
    keys: Sequence[str],
    cursor: str | None,
    size: int,
    salt: str,
    key_of=None,
) -> Page:
    """One page of ``qs`` ordered by ``keys`` (the last key unique), starting after ``cursor``.

    ``key_of(row)`` gives the key values of a row (default: the attributes named by ``keys``). One
    query: it fetches ``size + 1`` rows to learn whether another page follows.
    """
    values = cursor_decode(cursor, salt=salt, size=len(keys))
    if values is not None:
        qs = qs.filter(_after_q(keys, values))
    rows = list(qs.order_by(*keys)[: size + 1])
    items, more = rows[:size], len(rows) > size
    next_cursor = None
    if more and items:
        last = items[-1]
        last_values = key_of(last) if key_of else [getattr(last, k.lstrip("-")) for k in keys]
        next_cursor = cursor_encode(last_values, salt=salt)
    return Page(items=items, next_cursor=next_cursor)


# --- API ---------------------------------------------------------------------------------------------


def page_response_data(request, page: Page, results) -> dict:
    """The JSON body of a page: ``results``, ``next`` (a URL or null) and ``next_cursor``."""
    next_url = None
    if page.next_cursor:
        query = request.GET.copy()
        query["cursor"] = page.next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"next": next_url, "next_cursor": page.next_cursor, "results": results}


def paginated(name: str, item: serializers.Serializer | type[serializers.Serializer], **extra_fields):
    """The OpenAPI shape of a page of ``item`` (plus ``extra_fields``) for ``extend_schema(responses=)``."""
    item_instance = item(many=True) if isinstance(item, type) else item
    return inline_serializer(
        name=name,
        fields={
            **extra_fields,
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null at the end."),
            "next_cursor": serializers.CharField(allow_null=True, help_text="Opaque; pass as ?cursor="),
            "results": item_instance,
        },
    )
