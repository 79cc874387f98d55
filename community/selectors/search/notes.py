"""Notes found by full text: only public, published notes, as feed cards.

Newest and the counter sorts (most liked, collected, commented) order by (value, id) with an index in
that order, which PostgreSQL walks checking each row against the query (common words) or skips for the
GIN bitmap (rare words). Relevance is ``ts_rank_cd`` with the weights the index writes (title and topics
A, body B, location C), ties broken by id, ranked in blocks of the newest ``RELEVANCE_BLOCK`` matches so
that a page never ranks thousands of notes (``relevance_page``). Figures: benchmarks/results/search.md.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy

from community.models import Note
from community.selectors.notes import note_public_qs, viewer_state, without_sponsored
from community.selectors.search import PAGE_SIZE, SearchPage, cursor_salt
from core import segment
from core.keyset import cursor_decode, cursor_encode, keyset_after, keyset_page

# How many matches relevance ranks at a time (see ``relevance_page``), and the id windows, newest
# first, in which ``note_candidates`` looks for them.
RELEVANCE_BLOCK = 200
CANDIDATE_WINDOWS = (5_000, 50_000, 500_000)
# ts_rank_cd weights for labels D, C, B, A: the index labels title and topics A, body B, location C.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# ts_rank_cd normalisation 1: divide by 1 + log(length), so a long body does not win by length alone.
RANK_NORMALISATION = 1


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    LIKED = "liked"
    COLLECTED = "collected"
    COMMENTED = "commented"


# The sort chips in the order they are shown, with their labels.
SORTS = [
    (Sort.RELEVANCE, gettext_lazy("Relevance")),
    (Sort.NEWEST, gettext_lazy("Newest")),
    (Sort.LIKED, gettext_lazy("Most liked")),
    (Sort.COLLECTED, gettext_lazy("Most collected")),
    (Sort.COMMENTED, gettext_lazy("Most commented")),
]
SORT_KEYS = [key for key, _label in SORTS]
# The keyset of each sort but relevance: (value, id), newest first among equals.
SORT_ORDER = {
    Sort.NEWEST: ("-id",),
    Sort.LIKED: ("-like_count", "-id"),
    Sort.COLLECTED: ("-collect_count", "-id"),
    Sort.COMMENTED: ("-comment_count", "-id"),
}
RELEVANCE_ORDER = ("-rank", "-id")


def sort_clean(value) -> str:
    return value if value in SORT_KEYS else Sort.RELEVANCE


def note_query(query: str, *, prefix_last: bool = False, weights: str = "") -> SearchQuery | None:
    raw = segment.tsquery(query, prefix_last=prefix_last, weights=weights)
    if not raw:
        return None
    search = SearchQuery(raw, search_type="raw", config="simple")
    search.raw_query = raw  # for the SQL that ``note_candidates`` writes by hand
    return search


def public_matches(search: SearchQuery) -> QuerySet[Note]:
    return Note.objects.filter(
        search_vector=search, status=Note.Status.PUBLISHED, visibility=Note.Visibility.PUBLIC
    )


def text_rank(search: SearchQuery):
    # ts_rank_cd is a float4, which PostgreSQL prints rounded: as a float8 it reaches Python and comes
    # back in a cursor exactly, so the keyset (rank, id) neither repeats nor skips a note.
    return Cast(
        SearchRank(
            F("search_vector"),
            search,
            weights=RANK_WEIGHTS,
            normalization=Value(RANK_NORMALISATION),
            cover_density=True,
        ),
        FloatField(),
    )


def id_ceiling() -> int:
    """One more than the newest note's id: the first block of relevance starts below it."""
    newest = Note.objects.order_by("-id").values_list("id", flat=True).first()
    return (newest or 0) + 1


def note_candidates(
    search: SearchQuery,
    *,
    below: int,
    limit: int,
    windows=None,
    complete: bool = True,
    hide_sponsored: bool = False,
) -> RawSQL:
    """Ids of the newest ``limit`` public notes matching ``search`` with an id below ``below``.

    Written as a ladder of id windows, newest first, glued with UNION ALL under one LIMIT: PostgreSQL
    runs a window only while the ones above it have not produced ``limit`` rows, and each window can
    intersect the GIN bitmap with a primary-key range (BitmapAnd), so a common word reads the rows of
    a few thousand recent notes, not all its matches, and a rare word goes down the ladder instead of
    walking the whole table. The bounds are literals so the planner sizes each window right.
    ``complete=False`` stops after the last window instead of going on to the oldest notes.
    ``hide_sponsored`` leaves out notes written under a brand partnership, so a block holds only the
    notes the reader will see.
    """
    windows = CANDIDATE_WINDOWS if windows is None else windows
    table = Note._meta.db_table
    PUBLISHED, PUBLIC = str(Note.Status.PUBLISHED.value), str(Note.Visibility.PUBLIC.value)  # noqa: N806
    match = "search_vector @@ to_tsquery('simple', %s) AND status = %s AND visibility = %s"
    if hide_sponsored:
        match += " AND partnership_id IS NULL"
    raw = search.raw_query
    branches: list[str] = []
    params: list = []
    upper = below
    for width in (*windows, None) if complete else windows:
        lower = below - width if width is not None else None
        if lower is not None and lower > 1:
            where = f"{match} AND id < %s AND id >= %s"
            params += [raw, PUBLISHED, PUBLIC, upper, lower]
        else:
            where = f"{match} AND id < %s"
            params += [raw, PUBLISHED, PUBLIC, upper]
            lower = None
        branches.append(f"(SELECT id FROM {table} WHERE {where} ORDER BY id DESC)")  # noqa: S608
        if lower is None:
            break
        upper = lower
    params.append(limit)
    # Only constants and placeholders are formatted in; every value is a parameter.
    sql = f"SELECT id FROM ({' UNION ALL '.join(branches)}) AS candidates LIMIT %s"  # noqa: S608
    return RawSQL(sql, params)  # noqa: S611


def relevance_page(
    search: SearchQuery, *, cursor: str | None, size: int, block: int, hide_sponsored: bool = False
):
    """Relevance pages through blocks: the newest ``block`` matches ranked by ts_rank_cd (keyset on
    rank, id), then the ``block`` matches older than those, and so on, so every match is reachable
    and a page never ranks more than ``block`` notes whatever the size of the site."""
    # The cursor carries the block and how far into it: [below, lowest id seen in the block, how many
    # seen, rank, id] (rank and id None at a block's start).
    state = cursor_decode(cursor, salt=cursor_salt(Sort.RELEVANCE), size=5)
    if state is None:
        below = id_ceiling()
        state = [below, below, 0, None, None]
    below, lowest, seen, rank, last_id = state
    candidates = note_candidates(search, below=below, limit=block, hide_sponsored=hide_sponsored)
    queryset = note_public_qs().filter(id__in=candidates).annotate(rank=text_rank(search))
    if rank is not None:
        queryset = queryset.filter(keyset_after(RELEVANCE_ORDER, [rank, last_id]))
    notes = list(queryset.order_by(*RELEVANCE_ORDER)[: size + 1])
    more_in_block = len(notes) > size
    notes = notes[:size]
    lowest = min([lowest, *(n.id for n in notes)])
    seen += len(notes)
    if more_in_block:
        next_state = [below, lowest, seen, notes[-1].rank, notes[-1].id]
    elif seen >= block and lowest > 1:
        next_state = [lowest, lowest, 0, None, None]
    else:
        next_state = None
    next_cursor = cursor_encode(next_state, salt=cursor_salt(Sort.RELEVANCE)) if next_state else None
    return notes, next_cursor, queryset


def notes_search_queryset(*, query: str, sort: str = Sort.NEWEST, hide_sponsored: bool = False):
    """(the matching notes, the keyset of ``sort``) for the counter and newest sorts, None for a query
    without words."""
    search = note_query(query)
    if search is None:
        return None
    queryset = without_sponsored(note_public_qs().filter(search_vector=search), hide_sponsored=hide_sponsored)
    return queryset, SORT_ORDER[sort]


def notes_search(
    *,
    query: str,
    viewer=None,
    sort: str = Sort.RELEVANCE,
    cursor: str | None = None,
    page_size: int = PAGE_SIZE,
    block: int | None = None,
    hide_sponsored: bool = False,
) -> SearchPage:
    """Public, published notes matching ``query`` (title, topics, body, location), as feed cards.

    Newest and the counter sorts walk an index in their order (note_recent, note_search_liked, ...)
    checking each row against the query, or take the GIN bitmap of a rare query, as the planner finds
    cheaper; relevance ranks blocks of ``RELEVANCE_BLOCK`` candidates (see ``relevance_page``).
    ``hide_sponsored`` is the reader's filter that leaves out notes written under a brand partnership.
    """
    search = note_query(query)
    if search is None:
        return SearchPage(items=[], searched=False)
    sort = sort_clean(sort)
    if sort == Sort.RELEVANCE:
        notes, next_cursor, _queryset = relevance_page(
            search,
            cursor=cursor,
            size=page_size,
            block=block or RELEVANCE_BLOCK,
            hide_sponsored=hide_sponsored,
        )
    else:
        queryset, keys = notes_search_queryset(query=query, sort=sort, hide_sponsored=hide_sponsored)
        page = keyset_page(queryset, keys=keys, cursor=cursor, size=page_size, salt=cursor_salt(sort))
        notes, next_cursor = page.items, page.next_cursor
    state = viewer_state(viewer=viewer, note_ids=[n.id for n in notes])
    return SearchPage(items=notes, next_cursor=next_cursor, state=state)
