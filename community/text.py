"""#topics and @mentions in note and comment text: parsed on write, linked on display, always escaped."""

from __future__ import annotations

import re

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# A topic or a mention runs until whitespace, punctuation or the next # / @ (CJK counts as a word char).
TOPIC_RE = re.compile(r"#([\w\u00b7\-]{1,30})")
MENTION_RE = re.compile(r"@([\w.\-]{1,30})")
_TOKEN_RE = re.compile(r"(#[\w\u00b7\-]{1,30}|@[\w.\-]{1,30})")
MAX_TOPICS = 10
MAX_MENTIONS = 10


def topics_parse(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for name in TOPIC_RE.findall(text or ""):
        name = name.strip("-·")
        if name and name.lower() not in {k.lower() for k in seen}:
            seen[name] = None
    return list(seen)[:MAX_TOPICS]


def mentions_parse(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for handle in MENTION_RE.findall(text or ""):
        handle = handle.rstrip(".-")
        if handle:
            seen.setdefault(handle, None)
    return list(seen)[:MAX_MENTIONS]


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def text_linkify(text: str, *, mentioned: dict[str, int] | None = None) -> SafeString:
    """Escape ``text`` and turn #topics and resolved @mentions into links. Newlines become <br>."""
    mentioned = mentioned or {}
    parts: list[str] = []
    for piece in _TOKEN_RE.split(text or ""):
        if not piece:
            continue
        if piece.startswith("#") and TOPIC_RE.fullmatch(piece):
            url = _url("community:topic", piece[1:])
            parts.append(
                format_html('<a class="topic-link" href="{}">{}</a>', url, piece) if url else escape(piece)
            )
        elif piece.startswith("@") and piece[1:] in mentioned:
            url = _url("community:profile", mentioned[piece[1:]])
            parts.append(
                format_html('<a class="mention-link" href="{}">{}</a>', url, piece) if url else escape(piece)
            )
        else:
            parts.append(escape(piece))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 - every part is escaped above
