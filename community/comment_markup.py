"""Comments rendered once per content, language and time zone, with the reader's parts applied per request.

The note page with 300 comments spent about 9 ms of its CPU in the comments of its first page (10 comments
and their first replies): per comment three includes, two date filters, a ``timesince``, URL formatting,
gettext calls and a ``{% csrf_token %}``. Most of a comment's markup is the same for every reader.
``comment_html`` renders that part once and keeps it in a per-process LRU keyed by **everything it
shows**: the kind (comment or reply), the language, the time zone (the ``title`` of the time element),
the comment's id, note, parent, linked body, review state, "Author" tag, the author's id, name and
avatar, the ``@``-ed name of a reply, and the creation time. There is nothing to invalidate: an edit,
a new avatar or a new name makes a new key, and the old entry ages out. It cannot leak a comment: the
markup only goes to a caller that already holds a comment with exactly that content, fetched by
``community.selectors.comments`` with its own visibility rule (``comment_shown_q``).

What differs per reader or per request goes into slots (HTML comments in the shared markup):

- ``ago``: "3 hours ago", which changes with the clock: ``timesince`` per comment, the translated
  pattern looked up once per language;
- ``actions``: Delete (the comment's author or the note's author), Report (other signed-in readers) or
  nothing (anonymous), from the flags the selector set;
- ``like``: the like toggle (filled heart if the reader liked it) with its count;
- ``replies`` and ``more`` (top-level comments only): the first replies, each through ``comment_html``,
  and the "show more replies" link.

The Delete/Report controls and the like toggle are rendered once per (language, variant) and (language,
liked, count) with a sentinel id and a sentinel CSRF token, which are then replaced: the id by the
comment's, the token by the request's (``{% csrf_token %}`` rendered once per request).

The cache is per process: at most ``COMMENT_CACHE_SIZE`` comments (2,048), 3-5 KB each with their keys
(the key holds the linked body, up to 500 characters), so at most about 10 MB per worker. It is off when
media URLs are signed (``AWS_QUERYSTRING_AUTH``), since an avatar's signed URL
expires (``COMMENT_CACHE_SIZE`` is then 0).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.conf import settings
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext

from core.lru import Lru

MARKUP = "community/partials/comment_markup.html"
ACTIONS = "community/partials/comment_actions.html"
LIKE_BUTTON = "community/partials/comment_like_button.html"
REPLIES_BUTTON = "community/partials/comment_replies_button.html"

SLOTS = SimpleNamespace(
    **{
        name: SafeString(f"<!--hs:comment-{name}-->")
        for name in ("ago", "actions", "like", "replies", "more")
    }
)
_SLOT_RE = re.compile(r"<!--hs:comment-(ago|actions|like|replies|more)-->")
_SENTINEL_ID = 9_200_000_001
_SENTINEL_CSRF = "hsCommentCsrfSentinel"
_SENTINEL_CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_SENTINEL_CSRF}">'

_markup: Lru[tuple] = Lru(getattr(settings, "COMMENT_CACHE_SIZE", 2048))
_controls: Lru[tuple[str, ...]] = Lru(256)


def _key(c, kind: str, lang: str) -> tuple:
    author = c.author
    return (
        kind,
        lang,
        timezone.get_current_timezone_name(),
        c.pk,
        c.note_id,
        c.parent_id,
        str(c.body_html),
        c.under_review,
        c.is_note_author,
        c.author_id,
        author.display_name,
        author.avatar.name if author.avatar else "",
        c.created_at,
        c.reply_to.display_name if kind == "reply" and c.reply_to_id and c.reply_to else None,
    )


def _shared(c, kind: str, lang: str) -> tuple:
    """The reader-independent markup of ``c``, split at its slots: (text, slot, text, slot, ..., text)."""
    key = _key(c, kind, lang)
    parts = _markup.get(key)
    if parts is None:
        html = get_template(MARKUP).render(
            {"c": c, "reply": kind == "reply", "note": {"pk": c.note_id}, "slots": SLOTS}
        )
        parts = tuple(_SLOT_RE.split(html))
        _markup.put(key, parts)
    return parts


def _control(template: str, lang: str, variant: tuple, context: dict) -> tuple[str, ...]:
    """A small per-comment control rendered once per (template, language, variant) with a sentinel id
    and a sentinel CSRF token, split where the id goes; the token is swapped afterwards."""
    key = (template, lang, *variant)
    parts = _controls.get(key)
    if parts is None:
        html = get_template(template).render({**context, "csrf_token": _SENTINEL_CSRF})
        parts = tuple(html.split(str(_SENTINEL_ID)))
        _controls.put(key, parts)
    return parts


def _fill(parts: tuple[str, ...], pk: int, csrf_input: str) -> str:
    return str(pk).join(parts).replace(_SENTINEL_CSRF_INPUT, csrf_input)


class _Page:
    """What every comment of one response shares: the language, the CSRF input, the reader."""

    def __init__(self, context) -> None:
        self.lang = get_language() or settings.LANGUAGE_CODE
        self.csrf_input = str(CsrfTokenNode().render(context))
        user = context.get("user")
        self.signed_in = bool(user is not None and user.is_authenticated)
        self.ago = gettext("%(t)s ago")
        self.just_now = gettext("just now")


def _page(context) -> _Page:
    request = context.get("request")
    page = getattr(request, "_hs_comment_page", None) if request is not None else None
    if page is None:
        page = _Page(context)
        if request is not None:
            request._hs_comment_page = page
    return page


def _ago(c, page: _Page) -> str:
    if getattr(c, "just_now", False):
        return escape(page.just_now)
    return escape(page.ago % {"t": timesince(c.created_at)})


def _actions(c, page: _Page) -> str:
    if getattr(c, "can_delete", False):
        variant = ("delete", c.parent_id is not None)
    elif page.signed_in:
        variant = ("report",)
    else:
        return ""
    fake = SimpleNamespace(
        pk=_SENTINEL_ID, parent_id=1 if c.parent_id else None, can_delete=variant[0] == "delete"
    )
    context = {"c": fake, "user": SimpleNamespace(is_authenticated=page.signed_in)}
    return _fill(_control(ACTIONS, page.lang, variant, context), c.pk, page.csrf_input)


def _like(c, page: _Page) -> str:
    liked = bool(getattr(c, "liked", False))
    fake = SimpleNamespace(pk=_SENTINEL_ID, liked=liked, like_count=c.like_count)
    parts = _control(LIKE_BUTTON, page.lang, (liked, c.like_count), {"c": fake})
    return _fill(parts, c.pk, page.csrf_input)


def _render(c, kind: str, page: _Page) -> str:
    parts = _shared(c, kind, page.lang)
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            out.append(part)
        elif part == "ago":
            out.append(_ago(c, page))
        elif part == "actions":
            out.append(_actions(c, page))
        elif part == "like":
            out.append(_like(c, page))
        elif part == "replies":
            out.extend(_render(r, "reply", page) for r in getattr(c, "first_replies", ()))
        elif part == "more" and getattr(c, "more_replies", 0):
            out.append(
                get_template(REPLIES_BUTTON).render(
                    {"parent": c, "cursor": c.replies_cursor, "count": c.more_replies}
                )
            )
    return "".join(out)


def comment_html(context, c, *, reply: bool) -> SafeString:
    """A comment (``reply=False``: with its first replies) or a reply, decorated by
    ``community.selectors.comments``, for the reader of ``context`` (a template context)."""
    return mark_safe(_render(c, "reply" if reply else "item", _page(context)))  # noqa: S308 - every part rendered by the template engine, which escaped it


def comments_clear() -> None:
    """Forget every cached comment (tests; a deploy restarts the workers anyway)."""
    _markup.clear()
    _controls.clear()
