"""The personal discovery feed ("For you" at ``/``): a page drawn from the reader's candidate list.

Stable scroll: the cursor carries the ids the scroll has shown so far (signed, compressed). Every page is
the best of the reader's candidates minus those, minus what they saw on earlier visits, engaged with or
hid, by the page rules of ``recs.ranking``. Nothing repeats, and nothing is skipped, because there is no
position to skip past: a note not shown yet stays available to the next page. And what the reader did
meanwhile (a collect, an open, "not interested") rebuilds the list, so the very next page reflects it.

Queries per page, whatever its size: the switch with, for a signed-in reader, the engagement marker (one
query); the cards (``note_public_qs``, the same card path as every feed); the viewer's likes and collects. A rebuild adds
the fixed queries of ``selectors/candidates.py``. With the operators' switch on, the page is the
community's plain hot feed; with Redis down, hot plus exploration straight from PostgreSQL.
"""

from __future__ import annotations

from django.core import signing
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from community.selectors.feeds import FEED_PAGE_SIZE, NotePage, feed_discover, note_page_with_state
from community.selectors.notes import note_public_qs
from core.keyset import BadCursor, Page
from recs import ranking
from recs.selectors.candidates import candidates_for, explore_spent, switch_read
from recs.services.signals import impressions_record

SALT = "recs.feed"
#: The cursor stops carrying ids after this many (about 25 pages); the seen set covers the rest.
CURSOR_MAX_IDS = 500


def _cursor_decode(cursor: str | None) -> list[int]:
    if not cursor:
        return []
    try:
        shown = signing.Signer(salt=SALT).unsign_object(cursor)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadCursor(_("This page link is out of date. Start again from the top.")) from None
    if not isinstance(shown, list) or not all(isinstance(n, int) for n in shown):
        raise BadCursor(_("This page link is out of date. Start again from the top."))
    return shown


def _cursor_encode(shown: list[int]) -> str:
    return signing.Signer(salt=SALT).sign_object(shown[-CURSOR_MAX_IDS:], compress=True)


def _why_texts() -> dict:
    """The explanations in the current language, translated once per language per process (a page of 20
    cards used to translate 160 strings)."""
    lang = get_language()
    texts = _WHY_TEXTS.get(lang)
    if texts is None:
        texts = {
            "topic": {
                "collect": _("Because you collected #%(topic)s"),
                "like": _("Because you liked #%(topic)s"),
                "comment": _("Because you commented on #%(topic)s"),
                "open": _("Because you read #%(topic)s"),
                "pick": _("Because you follow #%(topic)s"),
            },
            "coengage": _("Readers of “%(title)s” also liked this"),
            "coengage_plain": _("Readers like you"),
            "source": {
                ranking.ALS: _("Readers with tastes like yours enjoyed this"),
                ranking.FOLLOWED: _("New from a writer you follow"),
                ranking.EXPLORE: _("A new note in a topic you read"),
            },
            "words_search": _("Because you searched “%(word)s”"),
            "words_read": _("Because you read about “%(word)s”"),
            "popular": _("Popular now"),
        }
        _WHY_TEXTS[lang] = texts
    return texts


_WHY_TEXTS: dict[str | None, dict] = {}


def why_text(source: str, reason: str) -> str:
    """The explanation of a card: which source proposed it, and for what."""
    texts = _why_texts()
    if source == ranking.TOPIC:
        kind, _sep, topic = reason.partition(":")
        return texts["topic"].get(kind, texts["topic"]["like"]) % {"topic": topic}
    if source == ranking.WORDS:
        kind, _sep, word = reason.partition(":")
        return texts["words_search" if kind == "search" else "words_read"] % {"word": word}
    if source == ranking.COENGAGE:
        return texts["coengage"] % {"title": reason} if reason else texts["coengage_plain"]
    return texts["source"].get(source, texts["popular"])


def feed_for_you(
    *,
    viewer,
    reader: str,
    cursor: str | None = None,
    size: int = FEED_PAGE_SIZE,
    hide_sponsored: bool = False,
) -> NotePage:
    """One page of the personal feed; ``page.extra["why"]`` maps each note to (source, explanation)."""
    user_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    plain_hot, budget, marker = switch_read(user_id=user_id)
    if plain_hot:
        return feed_discover(viewer=viewer, cursor=cursor, size=size, hide_sponsored=hide_sponsored)
    shown = _cursor_decode(cursor)
    built, seen, degraded = candidates_for(viewer=viewer, reader=reader, budget=budget, marker=marker)
    exclude = set(shown)
    if hide_sponsored:
        exclude.update(built.sponsored_ids)
    if not degraded:
        exclude |= explore_spent(note_ids=built.explore_ids, budget=budget)
    ranked = built.ids
    page_ids = ranking.page_pick(
        ranked=ranked, facts=built.facts, size=size, exclude=exclude | seen, explore_ids=built.explore_ids
    )
    if len(page_ids) < size and seen:
        # The reader has seen nearly all their list holds (a small community, a reload): what they were
        # shown lately comes back after what they were not, rather than a short or empty page. Never what
        # this scroll showed, what they hid or liked (not in the list), nor sponsored notes they hid.
        def unseen_first(ids: list[int]) -> list[int]:
            return [n for n in ids if n not in seen] + [n for n in ids if n in seen]

        page_ids = ranking.page_pick(
            ranked=unseen_first(ranked),
            facts=built.facts,
            size=size,
            exclude=exclude,
            explore_ids=unseen_first(built.explore_ids),
        )
    notes_by_id = {n.pk: n for n in note_public_qs().filter(pk__in=page_ids)} if page_ids else {}
    notes = [notes_by_id[n] for n in page_ids if n in notes_by_id]
    if not degraded:
        impressions_record(reader=reader, shown=[(n.pk, built.facts[n.pk].source) for n in notes])
    more = len(page_ids) == size
    page = Page(
        items=notes,
        next_cursor=_cursor_encode(shown + page_ids) if more else None,
        extra={
            "why": {
                n.pk: (built.facts[n.pk].source, why_text(built.facts[n.pk].source, built.facts[n.pk].reason))
                for n in notes
            },
            "degraded": degraded,
        },
    )
    return note_page_with_state(page, viewer=viewer)
