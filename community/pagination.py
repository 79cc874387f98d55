"""Keyset pagination for community pages and the API: the mechanism is ``core.keyset``; this module
namespaces its cursors, caps page sizes and shapes API pages."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from core import keyset
from core.keyset import BadCursor, Page

__all__ = ["BadCursor", "Page", "cursor_decode", "cursor_encode", "keyset_page", "page_size_parse"]

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100


def _salt(salt: str) -> str:
    return f"community.pagination.{salt}"


def cursor_encode(values: Sequence, *, salt: str) -> str:
    return keyset.cursor_encode(values, salt=_salt(salt))


def cursor_decode(cursor: str | None, *, salt: str, size: int) -> list | None:
    return keyset.cursor_decode(cursor, salt=_salt(salt), size=size)


def page_size_parse(value, *, default: int = PAGE_SIZE_DEFAULT) -> int:
    return keyset.page_size_parse(value, default=default, maximum=PAGE_SIZE_MAX)


def keyset_page(
    qs: QuerySet, *, keys: Sequence[str], cursor: str | None, size: int, salt: str, key_of=None
) -> Page:
    return keyset.keyset_page(qs, keys=keys, cursor=cursor, size=size, salt=_salt(salt), key_of=key_of)


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
