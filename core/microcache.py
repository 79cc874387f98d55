"""Micro-caching: a whole page rendered once for readers without a session, served to the next ones
for a few seconds (docs/architecture.md, "Pages for readers without a session").

A reader who brings no session is shown the same page as every other such reader of their language: the
discovery feed's first visit, the hot feed, a topic, a profile. ``micro_cached`` keeps that page's
rendered body per process for ``MICROCACHE_SECONDS`` and answers the next such requests from it, so a
burst of anonymous readers costs one render per page per worker every few seconds.

What makes it correct:

- **Who.** Only a GET that carries no cookie but the CSRF cookie, the language cookie, the visitor cookie
  and the cookies the view names (which become part of the key), no ``Authorization`` header, and whose
  user is anonymous. A session cookie (signed in, or anything kept in a session, such as messages) means
  the page is rendered as usual and never stored. A view whose page is personal to an anonymous reader
  with history (``personal=True``: the discovery feed) is cached only for a visitor the request made new.
- **Key.** The view, the host and scheme, the full path with its query, the language, the htmx request
  headers and the named cookies' values; a query with a parameter the view does not name, or a repeated
  one, is never cached (the page echoes its URL, and a flood of made-up parameters must not fill the
  cache).
- **Nothing of one visitor reaches another.** The page is rendered with a per-process random marker in
  place of the CSRF token; each answer, hit or miss, puts in the requesting visitor's own masked token
  (``get_token``: the CSRF middleware then sets or renews *their* cookie). A render that reached the token
  any other way, set a cookie, touched the session or answered anything but 200 is not stored. Cookies
  the middleware sets on the way out (the visitor's ``hs_vid``, the CSRF cookie) are set per answer.
- **Bounded.** Per view, pages with and without a query string are kept apart (a crawl of paged or
  parameterised URLs cannot push the first pages out), each part bounded in bytes
  (``MICROCACHE_PART_BYTES``) and entries; a page larger than a part is not kept.
- **What a request does besides rendering** is replayed on a hit: ``on_hit(request, replay)`` receives
  what the view left in ``response.microcache_replay`` (the discovery feed records the cards shown as the
  new visitor's impressions).

The cost: an anonymous reader may see a page up to ``MICROCACHE_SECONDS`` old (a note hidden by a
moderator stays on the cached page of a topic for that long). Signed-in readers never are.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from core.lru import Lru
from core.visitor import COOKIE as VISITOR_COOKIE
from core.visitor import visitor_is_new

#: Rendered in place of the CSRF token in a page meant for the cache; unguessable, so no note's text can
#: carry it, and alphanumeric, so escaping leaves it whole.
CSRF_MARK = "hsmc" + secrets.token_hex(20)
_RENDERING = "_microcache_rendering"
_HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Boosted", "HX-History-Restore-Request")
MAX_QUERY_LENGTH = 2048


@dataclass(frozen=True)
class Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    expires: float
    replay: object


_parts: dict[tuple[str, bool], Lru[Entry]] = {}


def _part(view: str, *, query: bool) -> Lru[Entry]:
    part = _parts.get((view, query))
    if part is None:
        part = _parts.setdefault(
            (view, query),
            Lru(settings.MICROCACHE_PART_ENTRIES, max_weight=settings.MICROCACHE_PART_BYTES),
        )
    return part


def microcache_clear() -> None:
    """Forget every cached page (tests)."""
    _parts.clear()


def csrf_context(request) -> dict:
    """Context processor: the marker instead of the token while a page for the cache renders."""
    return {"csrf_token": CSRF_MARK} if getattr(request, _RENDERING, False) else {}


def _key(request, *, view: str, params: frozenset[str], cookies: tuple[str, ...], personal: bool):
    """The page's key, or None when this request's page may not come from (or go to) the cache."""
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return None
    allowed = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, VISITOR_COOKIE, *cookies}
    if not allowed.issuperset(request.COOKIES):
        return None
    query = request.META.get("QUERY_STRING", "")
    if len(query) > MAX_QUERY_LENGTH or any(
        name not in params or len(values) != 1 for name, values in request.GET.lists()
    ):
        return None
    if request.user.is_authenticated or (personal and not visitor_is_new(request)):
        return None
    return (
        view,
        request.get_host(),
        request.is_secure(),
        request.get_full_path(),
        get_language(),
        tuple(request.headers.get(h, "") for h in _HTMX_HEADERS),
        tuple(request.COOKIES.get(c, "") for c in cookies),
    )


def _storable(request, response, *, token_used: bool) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not token_used
        and not (session is not None and (session.modified or not session.is_empty()))
        and "private" not in response.get("Cache-Control", "")
        and not getattr(response, "microcache_skip", False)
    )


def _with_token(request, body: bytes) -> bytes:
    mark = CSRF_MARK.encode()
    return body.replace(mark, get_token(request).encode()) if mark in body else body


def micro_cached(
    *,
    params: Iterable[str] = (),
    cookies: Iterable[str] = (),
    personal: bool = False,
    on_hit: Callable[[object, object], None] | None = None,
):
    """Serve the view's page from the micro-cache to readers without a session (see the module)."""
    params, cookies = frozenset(params), tuple(cookies)

    def decorate(view_func):
        view = f"{view_func.__module__}.{view_func.__qualname__}"

        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            seconds = settings.MICROCACHE_SECONDS
            key = (
                _key(request, view=view, params=params, cookies=cookies, personal=personal)
                if seconds > 0
                else None
            )
            if key is None:
                return view_func(request, *args, **kwargs)
            part = _part(view, query=bool(request.META.get("QUERY_STRING")))
            entry = part.get(key)
            now = time.monotonic()
            if entry is not None and entry.expires > now:
                if on_hit is not None and entry.replay is not None:
                    on_hit(request, entry.replay)
                response = HttpResponse(_with_token(request, entry.body))
                for name, value in entry.headers:
                    response.headers[name] = value
                response.microcache = "hit"
                return response
            # Whether this render reaches the real token (not through the marker) is read from the flag
            # get_token raises; the request's own flag (a malformed cookie replaced) is put back after.
            flagged = request.META.pop("CSRF_COOKIE_NEEDS_UPDATE", False)
            setattr(request, _RENDERING, True)
            try:
                response = view_func(request, *args, **kwargs)
            finally:
                setattr(request, _RENDERING, False)
                token_used = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
                if flagged:
                    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
            if response.streaming:
                return response
            body = response.content
            if _storable(request, response, token_used=token_used):
                part.put(
                    key,
                    Entry(
                        body=body,
                        headers=tuple(response.headers.items()),
                        expires=now + seconds,
                        replay=getattr(response, "microcache_replay", None),
                    ),
                    weight=len(body),
                )
                response.microcache = "miss"
            response.content = _with_token(request, body)
            return response

        return wrapped

    return decorate
