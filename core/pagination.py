"""The API side of keyset pagination (core/keyset.py): the one JSON shape of a page, its OpenAPI
description, and DRF's pagination class for generic list views (``DEFAULT_PAGINATION_CLASS``).

A page answers ``{"next": URL or null, "next_cursor": str or null, "results": [...]}`` (plus whatever the
list adds, such as the topic a feed is about): pass ``next_cursor`` back as ``?cursor=`` or follow
``next``, which keeps the other query parameters. A tampered, foreign or outdated cursor is a 400 with
``{"detail": ..., "code": "bad_cursor"}`` (core.keyset.BadCursor through core/api.py's handler).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from core.keyset import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, Page, keyset_page, page_size_parse

CURSOR = OpenApiParameter("cursor", str, description="Opaque: the previous page's next_cursor.")


def page_size_parameter(
    *, default: int = PAGE_SIZE_DEFAULT, maximum: int = PAGE_SIZE_MAX
) -> OpenApiParameter:
    return OpenApiParameter(
        "page_size",
        page_size_schema(maximum=maximum),
        description=f"Items per page (1-{maximum}, default {default}).",
    )


def page_size_schema(*, maximum: int = PAGE_SIZE_MAX) -> dict:
    """``?page_size=`` as the schema types it: the bounds the server holds a page size to."""
    return {"type": "integer", "minimum": 1, "maximum": maximum}


def page_params(request, *, default: int = PAGE_SIZE_DEFAULT, maximum: int = PAGE_SIZE_MAX) -> dict:
    """``cursor`` and ``size`` as a list's selector takes them, from ``?cursor=`` and ``?page_size=``."""
    return {
        "cursor": request.query_params.get("cursor") or None,
        "size": page_size_parse(request.query_params.get("page_size"), default=default, maximum=maximum),
    }


def page_body(request, page: Page, results, **extra) -> dict:
    """The JSON body of a page (a ``Page``, or any result with its ``next_cursor``): ``extra`` fields,
    ``next`` (this URL with the next cursor, or null), ``next_cursor`` and ``results``."""
    next_url = None
    if page.next_cursor:
        query = request.GET.copy()
        query["cursor"] = page.next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {**extra, "next": next_url, "next_cursor": page.next_cursor, "results": results}


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


class KeysetPagination(BasePagination):
    """DRF's pagination on core.keyset: newest first by id, ``?cursor=`` and ``?page_size=``.

    A cursor is signed for the endpoint's path, so one list's cursor is refused by another.
    """

    keys: tuple[str, ...] = ("-id",)
    page_size = PAGE_SIZE_DEFAULT
    max_page_size = PAGE_SIZE_MAX

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = keyset_page(
            queryset,
            keys=self.keys,
            **page_params(request, default=self.page_size, maximum=self.max_page_size),
            salt=f"api:{request.path}",
        )
        return self.page.items

    def get_paginated_response(self, data):
        return Response(page_body(self.request, self.page, data))

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "next_cursor", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "next_cursor": {"type": "string", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "cursor", "required": False, "in": "query", "schema": {"type": "string"}},
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "schema": page_size_schema(maximum=self.max_page_size),
            },
        ]
