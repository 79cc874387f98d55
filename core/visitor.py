"""Who a visitor is, for counters that count people, not requests (note views, product-card taps).

A signed-in reader is their account. Anyone else is a signed first-party cookie (``hs_vid``: minted by
``VisitorMiddleware`` on a request that brings none, used for that request already and set on its
response) together with their client address (``core.client``). ``visitor_first`` says whether a visitor
does something for the first time within a window, and counts at most ``VISITOR_ANONYMOUS_PER_ADDRESS``
anonymous visitors per address and thing per window: a browser keeps its cookie and counts once, and a
client that drops, rotates or forges cookies is a new visitor each time but buys its address a handful of
counts, not thousands. The User-Agent is never part of it: it is whatever the client says.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django_redis import get_redis_connection

from core.client import client_address

logger = logging.getLogger(__name__)

COOKIE = "hs_vid"
_SALT = "core.visitor"
_ATTRIBUTE = "_visitor"

# KEYS: the visitor's "done" key, the address's budget key ("" for a signed-in reader).
# ARGV: window seconds, anonymous visitors allowed per address. Returns 1 the first time, else 0.
_FIRST = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
if KEYS[2] ~= '' then
  local n = redis.call('INCR', KEYS[2])
  if n == 1 then
    redis.call('EXPIRE', KEYS[2], ARGV[1])
  end
  if n > tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], 1, 'EX', ARGV[1])
return 1
"""


@dataclass(frozen=True)
class Visitor:
    key: str  # u:<user id>, c:<cookie id> or a:<address>
    address: str
    signed_in: bool
    #: No cookie came with the request (its c:<id> was minted by it): a browser brings it back next time, a
    #: client that drops cookies is a new visitor on every request. Nothing should be kept per such a key.
    fresh: bool = False


def _cookie_id(request) -> str | None:
    try:
        value = request.get_signed_cookie(COOKIE, salt=_SALT, default=None)
    except signing.BadSignature:
        return None
    return value if value and len(value) <= 64 else None


def visitor(request) -> Visitor:
    request = getattr(request, "_request", request)
    cached = getattr(request, _ATTRIBUTE, None)
    if cached is not None:
        return cached
    address = client_address(request)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        found = Visitor(f"u:{user.pk}", address, True)
    else:
        kept = _cookie_id(request)
        cookie = kept or getattr(request, "_visitor_minted", None)
        found = Visitor(f"c:{cookie}" if cookie else f"a:{address}", address, False, fresh=kept is None)
    setattr(request, _ATTRIBUTE, found)
    return found


def visitor_is_new(request) -> bool:
    """Whether this request made its anonymous visitor (it brought no valid ``hs_vid``): such a visitor has
    no history yet, so a page personal to visitors is the same for every new one."""
    request = getattr(request, "_request", request)
    return getattr(request, "_visitor_minted", None) is not None


def first_time(*, done_key: str, budget_key: str = "", window: int, client=None) -> bool:
    """The primitive: True (and remembered for ``window`` seconds under ``done_key``) unless ``done_key``
    is set, or ``budget_key`` (an address's anonymous visitors of one thing) is spent. Raises RedisError
    when Redis is unreachable (callers decide: a count is lost, never a page). ``client``: the Redis
    client to use (default: the cache's)."""
    client = client or get_redis_connection("default")
    limit = settings.VISITOR_ANONYMOUS_PER_ADDRESS
    return bool(client.eval(_FIRST, 2, done_key, budget_key, window, limit))


def address_budget_key(scope: str, address: str) -> str:
    return f"first-addr:{scope}:{address}"


def visitor_first(*, scope: str, who: Visitor, window: int) -> bool:
    """Whether ``who`` does ``scope`` (e.g. ``tap:42:7:open``) for the first time in ``window`` seconds."""
    budget = "" if who.signed_in else address_budget_key(scope, who.address)
    return first_time(done_key=f"first:{scope}:{who.key}", budget_key=budget, window=window)


class VisitorMiddleware:
    """Gives an anonymous visitor without a valid ``hs_vid`` cookie one (random, signed, HttpOnly): minted
    before the view runs, so the first request is already that visitor's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        minted = None
        if (user is None or not user.is_authenticated) and _cookie_id(request) is None:
            minted = request._visitor_minted = secrets.token_urlsafe(16)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if minted and (user is None or not user.is_authenticated):
            response.set_signed_cookie(
                COOKIE,
                minted,
                salt=_SALT,
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
