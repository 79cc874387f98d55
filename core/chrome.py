"""The site's top bar and tab bar (``partials/chrome.html``), rendered once per what they show.

Every HTML page drew them through the template engine: about a millisecond of CPU per request for markup
that is the same for every reader of one language with the same tabs. ``chrome_html`` renders it once
and keeps it in a per-process LRU keyed by **everything it shows** apart from three per-request values:
the language, the URLconf and script prefix, the site's name, the search URL, signed in or not, staff
or not, and each tab (key, label, URL, active, badge). The per-request values are slots filled on each
call: the search box's text and the language switch's ``next`` (both escaped here), and the CSRF token
of its two forms (the request's own, so a cached chrome never carries another reader's token).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.lru import Lru

# Constant markers that pass through autoescaping unchanged and occur nowhere else in the markup.
Q_SLOT = "hs9slot9q"
NEXT_SLOT = "hs9slot9next"
CSRF_SLOT = "hs9slot9csrf"
_SLOT_RE = re.compile(f"({Q_SLOT}|{NEXT_SLOT}|{CSRF_SLOT})")

_chrome: Lru[tuple[str, ...]] = Lru(256)


def _key(context, lang: str) -> tuple:
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    return (
        lang,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        context.get("SITE_NAME"),
        context.get("search_url"),
        signed_in,
        bool(signed_in and user.is_staff),
        tuple(
            (item["key"], item["icon"], str(item["label"]), item["url"], item["active"], item["badge"])
            for item in context.get("nav_items") or ()
        ),
    )


def _parts(context, lang: str) -> tuple[str, ...]:
    """The markup split at its slots: text, slot name, text, slot name, ..., text."""
    user = context.get("user")
    html = get_template("partials/chrome.html").render(
        {
            "LANG": lang,
            "SITE_NAME": context.get("SITE_NAME"),
            "search_url": context.get("search_url"),
            "nav_items": context.get("nav_items") or (),
            "user": user,
            "chrome_q": Q_SLOT,
            "chrome_next": NEXT_SLOT,
            "csrf_token": CSRF_SLOT,
        }
    )
    return tuple(_SLOT_RE.split(html))  # a capturing split keeps each slot between its texts


def chrome_html(context) -> SafeString:
    """The top bar and tab bar for the request in ``context`` (a RequestContext with ``site``'s values)."""
    request = context.get("request")
    lang = get_language() or settings.LANGUAGE_CODE
    key = _key(context, lang)
    parts = _chrome.get(key)
    if parts is None:
        parts = _parts(context, lang)
        _chrome.put(key, parts)
    values = {
        Q_SLOT: conditional_escape(request.GET.get("q", "") if request is not None else ""),
        NEXT_SLOT: conditional_escape(request.get_full_path() if request is not None else ""),
        # The context's token: the request's own, or the micro-cache's marker while a page for the cache
        # renders (core/microcache.py puts each visitor's own token in its place).
        CSRF_SLOT: conditional_escape(str(context.get("csrf_token") or "") if request is not None else ""),
    }
    return mark_safe("".join(values.get(part, part) for part in parts))  # noqa: S308 - the engine escaped the markup, values are escaped above


def chrome_clear() -> None:
    """Forget every cached chrome (tests; a deploy restarts the workers anyway)."""
    _chrome.clear()
