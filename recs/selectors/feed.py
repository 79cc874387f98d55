"""The personal discovery feed ("For you" at ``/``): a page drawn from the reader's candidate list.

Stable scroll: the cursor carries the ids the scroll has shown so far (signed, compressed). Every page is
the best of the reader's candidates minus those, minus what they saw on earlier visits, engaged with or
hid, by the page rules of ``recs.ranking``. Nothing repeats, and nothing is skipped, because there is no
position to skip past: a note not shown yet stays available to the next page. And what the reader did
meanwhile (a collect, an open, "not interested") rebuilds the list, so the very next page reflects it.

Queries per page, whatever its size: the switch; for a signed-in reader the engagement marker; the cards
(``note_public_qs``, the same card path as every feed); the viewer's likes and collects. A rebuild adds
the fixed queries of ``selectors/candidates.py``. With the operators' switch on, the page is the
community's plain hot feed; with Redis down, hot plus exploration straight from PostgreSQL.
"""

from __future__ import annotations

from django.core import signing
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


def why_text(source: str, reason: str) -> str:
    """The explanation of a card: which source proposed it, and for what."""
    if source == ranking.TOPIC:
        kind, _sep, topic = reason.partition(":")
        texts = {
            "collect": _("Because you collected #%(topic)s"),
            "like": _("Because you liked #%(topic)s"),
            "comment": _("Because you commented on #%(topic)s"),
            "open": _("Because you read #%(topic)s"),
            "pick": _("Because you follow #%(topic)s"),
        }
        return texts.get(kind, texts["like"]) % {"topic": topic}
    if source == ranking.WORDS:
        kind, _sep, word = reason.partition(":")
        if kind == "search":
            return _("Because you searched “%(word)s”") % {"word": word}
        return _("Because you read about “%(word)s”") % {"word": word}
    if source == ranking.COENGAGE:
        return (
            _("Readers of “%(title)s” also liked this") % {"title": reason}
            if reason
            else _("Readers like you")
        )
    return {
        ranking.ALS: _("Readers with tastes like yours enjoyed this"),
        ranking.FOLLOWED: _("New from a writer you follow"),
        ranking.EXPLORE: _("A new note in a topic you read"),
    }.get(source, _("Popular now"))


def feed_for_you(
    *,
    viewer,
    reader: str,
    cursor: str | None = None,
    size: int = FEED_PAGE_SIZE,
    hide_sponsored: bool = False,
) -> NotePage:
    """One page of the personal feed; ``page.extra["why"]`` maps each note to (source, explanation)."""
    plain_hot, budget = switch_read()
    if plain_hot:
        return feed_discover(viewer=viewer, cursor=cursor, size=size, hide_sponsored=hide_sponsored)
    shown = _cursor_decode(cursor)
    built, seen, degraded = candidates_for(viewer=viewer, reader=reader, budget=budget)
    exclude = set(shown)
    if hide_sponsored:
        exclude |= {n for n, f in built.facts.items() if f.sponsored}
    if not degraded:
        exclude |= explore_spent(
            note_ids=[n for n, f in built.facts.items() if f.source == ranking.EXPLORE], budget=budget
        )
    ranked = [c.note_id for c in built.ranked]
    page_ids = ranking.page_pick(ranked=ranked, facts=built.facts, size=size, exclude=exclude | seen)
    if len(page_ids) < size and seen:
        # The reader has seen nearly all their list holds (a small community, a reload): what they were
        # shown lately comes back after what they were not, rather than a short or empty page. Never what
        # this scroll showed, what they hid or liked (not in the list), nor sponsored notes they hid.
        ranked = [n for n in ranked if n not in seen] + [n for n in ranked if n in seen]
        page_ids = ranking.page_pick(ranked=ranked, facts=built.facts, size=size, exclude=exclude)
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
