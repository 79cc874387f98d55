"""The client's address: decided once per request, here, and read by every limiter (login lockout through
django-axes, DRF throttles, the flash sale's per-address budget, view and tap counters).

Behind ``PROXY_COUNT`` trusted proxies, each proxy appends the address it saw to ``X-Forwarded-For`` and
the last one is ``REMOTE_ADDR``. So the client is the right-most address that no trusted proxy added: the
``PROXY_COUNT``-th from the right. Everything left of it was written by the client and is never believed
(rotating it must not escape a limit). Without proxies, ``REMOTE_ADDR`` alone. A header with fewer entries
than there are proxies did not come through them all: then ``REMOTE_ADDR`` too."""

from __future__ import annotations

import ipaddress

from django.conf import settings

UNKNOWN = "0.0.0.0"  # noqa: S104 - an address to key on, not one to bind to
_ATTRIBUTE = "_client_address"


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request) -> str:
    """The address limits and counters key on (an IP address as text; never empty)."""
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's: keep one answer
    cached = getattr(request, _ATTRIBUTE, None)
    if cached is not None:
        return cached
    meta = request.META
    address = _valid(meta.get("REMOTE_ADDR", "")) or UNKNOWN
    proxies = settings.PROXY_COUNT
    if proxies > 0:
        chain = [part for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= proxies:
            address = _valid(chain[-proxies]) or address
    setattr(request, _ATTRIBUTE, address)
    return address
