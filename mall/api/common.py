"""What every endpoint of the mall API shares: absolute URLs and the size of a keyset page. A page's
JSON shape is the one every API uses (core/pagination.py)."""

from __future__ import annotations

from core.pagination import page_size_parameter
from mall.selectors import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX


def absolute_url(request, url: str) -> str | None:
    return request.build_absolute_uri(url) if url else None


PAGE_SIZE = page_size_parameter(default=PAGE_SIZE_DEFAULT, maximum=PAGE_SIZE_MAX)
