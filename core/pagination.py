from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Keyset pagination on the primary key, newest first: never OFFSET."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 100
