"""Note cards rendered once per content and language, with the viewer's state applied per request.

A feed page of 20 cards rendered through the template engine spent most of its time in the cards
(URL reverses, gettext, filters and includes per card; 52 reverses and 79 gettext calls for one feed
page). A card's markup is the same for every reader: ``card_html`` renders it once and keeps it in a
per-process LRU keyed by **everything the card shows** (the language, the note's id, title, status,
visibility, "bought here" flag, sponsor, cover, and the author's name and avatar). There is nothing to
invalidate: when any of them changes, the key changes and the old entry ages out. It cannot leak a
note either: the markup is only returned to a caller that already holds a note with exactly that
content, which its own query (with its visibility rules) fetched.

What differs per reader is the likes chip (filled heart when the reader liked the note). The cached
markup has a slot for it, and ``card_html`` fills it from ``ViewerState``, the one query that already
fetched the reader's likes and collects for the page; the chip itself is cached per (language, liked,
count). Other per-reader controls on a card (e.g. "not interested") go in the same way: a slot in the
shared markup, filled from per-page state.

The cache is per process (no network round trip; a worker holds at most ``NOTE_CARD_CACHE_SIZE``
cards, about 2 KB each with its key: at most about 10 MB). It is off when media URLs are signed
(``AWS_QUERYSTRING_AUTH``), since a signed URL expires.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.lru import Lru

LIKES_SLOT = SafeString("<!--hs:card-likes-->")  # a constant marker, output unescaped

_cards: Lru[tuple[str, str]] = Lru(getattr(settings, "NOTE_CARD_CACHE_SIZE", 4096))
_likes: Lru[str] = Lru(1024)


def _card_key(note, lang: str) -> tuple:
    cover = note.cover if note.cover_id else None
    author = note.author
    partnership = note.partnership if note.partnership_id else None
    return (
        lang,
        note.pk,
        note.title,
        note.status,
        note.visibility,
        bool(getattr(note, "bought_here", False)),
        note.partnership_id,
        partnership.brand.name if partnership else None,
        note.cover_id,
        (cover.feed.name, cover.width, cover.height) if cover else None,
        author.pk,
        author.display_name,
        author.avatar.name if author.avatar else "",
    )


def _likes_chip(*, liked: bool, count: int, lang: str) -> str:
    key = (lang, liked, count)
    html = _likes.get(key)
    if html is None:
        html = get_template("community/partials/note_card_likes.html").render(
            {"liked": liked, "count": count}
        )
        _likes.put(key, html)
    return html


def card_html(note, state, *, lang: str | None = None) -> SafeString:
    """The card of ``note`` (from ``note_card_qs()``) for a reader whose likes are in ``state``."""
    lang = lang or get_language() or settings.LANGUAGE_CODE
    key = _card_key(note, lang)
    parts = _cards.get(key)
    if parts is None:
        html = get_template("community/partials/note_card.html").render(
            {"note": note, "likes_slot": LIKES_SLOT}
        )
        head, sep, tail = html.partition(LIKES_SLOT)
        assert sep, "note_card.html must output likes_slot once"
        parts = (head, tail)
        _cards.put(key, parts)
    liked = state is not None and note.pk in state.liked
    return mark_safe(parts[0] + _likes_chip(liked=liked, count=note.like_count, lang=lang) + parts[1])  # noqa: S308 - rendered by the template engine, which escaped it


def cards_html(notes, state) -> SafeString:
    """A page's cards in a row: the language read once, no template loop around them."""
    lang = get_language() or settings.LANGUAGE_CODE
    return mark_safe("".join([card_html(note, state, lang=lang) for note in notes]))  # noqa: S308 - each is card_html's


def cards_clear() -> None:
    """Forget every cached card (tests; a deploy restarts the workers anyway)."""
    _cards.clear()
    _likes.clear()
