"""What every endpoint of the mall API shares: absolute URLs, and the shape of a keyset page (pass the
previous page's ``next_cursor`` as ``?cursor=``, or follow ``next``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers


def absolute_url(request, url: str) -> str | None:
    return request.build_absolute_uri(url) if url else None


def page_body(request, page, results) -> dict:
    next_url = None
    if page.next_cursor:
        query = request.query_params.copy()
        query["cursor"] = page.next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"next": next_url, "next_cursor": page.next_cursor, "results": results}


def paginated(name: str, item) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null at the end."),
            "next_cursor": serializers.CharField(allow_null=True, help_text="Opaque; pass as ?cursor="),
            "results": item(many=True),
        },
    )


CURSOR = OpenApiParameter("cursor", str, description="Opaque: the previous page's next_cursor.")
PAGE_SIZE = OpenApiParameter("page_size", int, description="Items per page (1-60, default 20).")
