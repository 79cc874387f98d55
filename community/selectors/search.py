"""Search: notes by full text, users by name, topics by name; suggestions while typing.

Every list pages with a keyset cursor, never OFFSET, and costs a fixed number of queries whatever the
page size: notes one query plus the viewer's likes and collects (relevance one more on its first
page: the newest id, where its candidate windows start), users one, topics one, suggestions three. A
query with nothing searchable left after segmentation costs none.

Only public, published notes are found. Newest and the counter sorts (most liked, collected,
commented) order by (value, id) with an index in that order, which PostgreSQL walks checking each row
against the query (common words) or skips for the GIN bitmap (rare words). Relevance is ``ts_rank_cd``
with the weights the index writes (title and topics A, body B, location C), ties broken by id, ranked
in blocks of the newest ``RELEVANCE_BLOCK`` matches so that a page never ranks thousands of notes
(``_relevance_page``). Figures: benchmarks/results/search.md.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from community import segment
from community.models import Follow, Note, Topic
from community.selectors.notes import ViewerState, note_public_qs, viewer_state, without_sponsored
from core.errors import DomainError

PAGE_SIZE = 20
PAGE_SIZE_MAX = 50
SUGGEST_SIZE = 5
# How many matches relevance ranks at a time (see ``_relevance_page``), and the id windows, newest
# first, in which ``_candidates`` looks for them.
RELEVANCE_BLOCK = 200
CANDIDATE_WINDOWS = (5_000, 50_000, 500_000)
SUGGEST_CANDIDATES = 50
# Suggestions come from the newest notes only: a title match is rare among all matches of a prefix
# ("口" is in thousands of bodies), and a complete answer is what the search page is for.
SUGGEST_WINDOWS = (2_000, 10_000)
# ts_rank_cd weights for labels D, C, B, A: the index labels title and topics A, body B, location C.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# ts_rank_cd normalisation 1: divide by 1 + log(length), so a long body does not win by length alone.
RANK_NORMALISATION = 1
NAME_QUERY_MAX = 30


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
_COUNTER_OF = {
    Sort.NEWEST: None,
    Sort.LIKED: "like_count",
    Sort.COLLECTED: "collect_count",
    Sort.COMMENTED: "comment_count",
}


class BadCursor(DomainError):
    code = "bad_cursor"


@dataclass
class SearchPage:
    """One page of results. ``state`` is the viewer's likes and collects (notes only)."""

    items: list
    next_cursor: str | None = None
    state: ViewerState = field(default_factory=ViewerState)
    searched: bool = True


# --- cursors --------------------------------------------------------------------------------------------


def _cursor_encode(kind: str, values: list) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str | None, *, kind: str, types: tuple[type, ...]) -> list | None:
    """The values of a cursor made by ``_cursor_encode(kind, ...)``; anything else is a 400."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        data = None
    ok = (
        isinstance(data, list)
        and len(data) == len(types) + 1
        and data[0] == kind
        and all(
            isinstance(value, expected) and not isinstance(value, bool)
            for value, expected in zip(data[1:], types, strict=True)
        )
        and all(math.isfinite(value) for value in data[1:] if isinstance(value, float))
        and all(abs(value) < 2**63 for value in data[1:] if isinstance(value, int))
    )
    if not ok:
        raise BadCursor(_("This list has moved on since it was loaded. Search again."))
    return data[1:]


def _after(keys: list[tuple[str, bool]], values: list) -> Q:
    """Rows after ``values`` in the order of ``keys`` [(field, descending)]: the keyset condition
    (a < x) or (a = x and b < y) ..., written out so PostgreSQL can use an index on the keys."""
    condition = Q(pk__in=[])
    equal = Q()
    for (name, descending), value in zip(keys, values, strict=True):
        condition |= equal & Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        equal &= Q(**{name: value})
    return condition


def _page(queryset: QuerySet, *, keys: list[tuple[str, bool]], cursor_kind: str, values, size: int):
    ordering = [f"-{name}" if descending else name for name, descending in keys]
    rows = list(queryset.order_by(*ordering)[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _cursor_encode(cursor_kind, [values(last)[i] for i in range(len(keys))])
    return rows, next_cursor


def page_size_clean(value, *, default: int = PAGE_SIZE) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(size, PAGE_SIZE_MAX))


def sort_clean(value) -> str:
    return value if value in SORT_KEYS else Sort.RELEVANCE


# --- notes ----------------------------------------------------------------------------------------------


def _note_query(query: str, *, prefix_last: bool = False, weights: str = "") -> SearchQuery | None:
    raw = segment.tsquery(query, prefix_last=prefix_last, weights=weights)
    if not raw:
        return None
    search = SearchQuery(raw, search_type="raw", config="simple")
    search.raw_query = raw  # for the SQL that ``_candidates`` writes by hand
    return search


def _public_matches(search: SearchQuery) -> QuerySet[Note]:
    return Note.objects.filter(
        search_vector=search, status=Note.Status.PUBLISHED, visibility=Note.Visibility.PUBLIC
    )


def _rank(search: SearchQuery):
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


def _id_ceiling() -> int:
    """One more than the newest note's id: the first block of relevance starts below it."""
    newest = Note.objects.order_by("-id").values_list("id", flat=True).first()
    return (newest or 0) + 1


def _candidates(
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


def _relevance_cursor(cursor: str | None) -> list | None:
    """[below, lowest id seen in the block, how many seen, rank, id] (rank and id None at a block's
    start)."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        data = None
    ok = (
        isinstance(data, list)
        and len(data) == 6
        and data[0] == Sort.RELEVANCE
        and all(type(v) is int and 0 <= v < 2**63 for v in data[1:4])
        and (
            (data[4] is None and data[5] is None)
            or (
                type(data[4]) is float
                and math.isfinite(data[4])
                and type(data[5]) is int
                and 0 <= data[5] < 2**63
            )
        )
    )
    if not ok:
        raise BadCursor(_("This list has moved on since it was loaded. Search again."))
    return data[1:]


def _relevance_page(
    search: SearchQuery, *, cursor: str | None, size: int, block: int, hide_sponsored: bool = False
):
    """Relevance pages through blocks: the newest ``block`` matches ranked by ts_rank_cd (keyset on
    rank, id), then the ``block`` matches older than those, and so on, so every match is reachable
    and a page never ranks more than ``block`` notes whatever the size of the site."""
    state = _relevance_cursor(cursor)
    if state is None:
        below = _id_ceiling()
        state = [below, below, 0, None, None]
    below, lowest, seen, rank, last_id = state
    candidates = _candidates(search, below=below, limit=block, hide_sponsored=hide_sponsored)
    queryset = note_public_qs().filter(id__in=candidates).annotate(rank=_rank(search))
    if rank is not None:
        queryset = queryset.filter(_after([("rank", True), ("id", True)], [rank, last_id]))
    notes = list(queryset.order_by("-rank", "-id")[: size + 1])
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
    return notes, (_cursor_encode(Sort.RELEVANCE, next_state) if next_state else None), queryset


def notes_search_queryset(
    *, query: str, sort: str = Sort.RELEVANCE, cursor: str | None = None, hide_sponsored: bool = False
):
    """(queryset ordered for ``sort`` and after ``cursor``, the keyset's fields, a note's values) for
    the counter and newest sorts, None for a query without words."""
    search = _note_query(query)
    if search is None:
        return None
    counter = _COUNTER_OF[sort]
    keys = [(counter, True), ("id", True)] if counter else [("id", True)]
    after = _cursor_decode(cursor, kind=sort, types=(int, int) if counter else (int,))
    queryset = without_sponsored(note_public_qs().filter(search_vector=search), hide_sponsored=hide_sponsored)
    values = (lambda note: (getattr(note, counter), note.id)) if counter else (lambda note: (note.id,))
    if after is not None:
        queryset = queryset.filter(_after(keys, after))
    ordering = [f"-{name}" if descending else name for name, descending in keys]
    return queryset.order_by(*ordering), keys, values


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
    cheaper; relevance ranks blocks of ``RELEVANCE_BLOCK`` candidates (see ``_relevance_page``).
    ``hide_sponsored`` is the reader's filter that leaves out notes written under a brand partnership.
    """
    search = _note_query(query)
    if search is None:
        return SearchPage(items=[], searched=False)
    sort = sort_clean(sort)
    if sort == Sort.RELEVANCE:
        notes, next_cursor, _queryset = _relevance_page(
            search,
            cursor=cursor,
            size=page_size,
            block=block or RELEVANCE_BLOCK,
            hide_sponsored=hide_sponsored,
        )
    else:
        queryset, keys, values = notes_search_queryset(
            query=query, sort=sort, cursor=cursor, hide_sponsored=hide_sponsored
        )
        notes, next_cursor = _page(queryset, keys=keys, cursor_kind=sort, values=values, size=page_size)
    state = viewer_state(viewer=viewer, note_ids=[n.id for n in notes])
    return SearchPage(items=notes, next_cursor=next_cursor, state=state)


# --- users and topics -----------------------------------------------------------------------------------


def _name_words(query: str) -> list[str]:
    text = unicodedata.normalize("NFKC", query or "")[: NAME_QUERY_MAX * 4]
    # Control characters (NUL among them) can't be in a name, and PostgreSQL refuses NUL in a string.
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text).strip()
    return [word for word in text[:NAME_QUERY_MAX].split() if word][:3]


def _name_rank(words: list[str], *fields: str) -> Case:
    """2 when a field is exactly the query, 1 when it starts with it, else 0."""
    whole = " ".join(words)
    exact = Q()
    starts = Q()
    for name in fields:
        exact |= Q(**{f"{name}__iexact": whole})
        starts |= Q(**{f"{name}__istartswith": whole})
    return Case(When(exact, then=Value(2)), When(starts, then=Value(1)), default=Value(0))


def users_search(*, query: str, cursor: str | None = None, page_size: int = PAGE_SIZE) -> SearchPage:
    """Active users whose nickname or username contains every word of ``query``: exact names first,
    then names that start with it, then the newest accounts; with follower and public note counts."""
    words = _name_words(query)
    if not words:
        return SearchPage(items=[], searched=False)
    queryset = User.objects.filter(is_active=True)
    for word in words:
        queryset = queryset.filter(Q(nickname__icontains=word) | Q(username__icontains=word))
    followers = (
        Follow.objects.filter(followee=OuterRef("pk"))
        .order_by()
        .values("followee")
        .annotate(n=Count("id"))
        .values("n")
    )
    notes = (
        Note.objects.filter(
            author=OuterRef("pk"), status=Note.Status.PUBLISHED, visibility=Note.Visibility.PUBLIC
        )
        .order_by()
        .values("author")
        .annotate(n=Count("id"))
        .values("n")
    )
    queryset = queryset.only("id", "username", "nickname", "avatar", "bio").annotate(
        name_rank=_name_rank(words, "username", "nickname"),
        follower_count=Coalesce(Subquery(followers, output_field=IntegerField()), 0),
        note_count=Coalesce(Subquery(notes, output_field=IntegerField()), 0),
    )
    keys = [("name_rank", True), ("id", True)]
    after = _cursor_decode(cursor, kind="users", types=(int, int))
    if after is not None:
        queryset = queryset.filter(_after(keys, after))
    users, next_cursor = _page(
        queryset, keys=keys, cursor_kind="users", values=lambda u: (u.name_rank, u.id), size=page_size
    )
    return SearchPage(items=users, next_cursor=next_cursor)


def topics_search(*, query: str, cursor: str | None = None, page_size: int = PAGE_SIZE) -> SearchPage:
    """Topics whose name contains every word of ``query`` (a leading # is ignored): the exact name
    first, then names that start with it, then by how many notes they have."""
    words = _name_words((query or "").replace("#", " "))
    if not words:
        return SearchPage(items=[], searched=False)
    queryset = Topic.objects.all()
    for word in words:
        queryset = queryset.filter(name__icontains=word)
    queryset = queryset.annotate(name_rank=_name_rank(words, "name"))
    keys = [("name_rank", True), ("note_count", True), ("id", False)]
    after = _cursor_decode(cursor, kind="topics", types=(int, int, int))
    if after is not None:
        queryset = queryset.filter(_after(keys, after))
    topics, next_cursor = _page(
        queryset,
        keys=keys,
        cursor_kind="topics",
        values=lambda t: (t.name_rank, t.note_count, t.id),
        size=page_size,
    )
    return SearchPage(items=topics, next_cursor=next_cursor)


# --- suggestions ----------------------------------------------------------------------------------------


@dataclass
class Suggestions:
    topics: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # (id, title)

    def __bool__(self) -> bool:
        return bool(self.topics or self.notes)


def search_suggest(*, query: str, size: int = SUGGEST_SIZE) -> Suggestions:
    """What to offer while someone types: matching topics, and titles of recent notes whose title or
    topics match with the last word as a prefix ("cera" -> CeraVe). Three queries (topics, the newest
    id, titles), none for an empty query."""
    topics = topics_search(query=query, page_size=size).items
    search = _note_query(query, prefix_last=True, weights="A")
    notes: list[tuple[int, str]] = []
    if search is not None:
        rows = (
            Note.objects.filter(
                id__in=_candidates(
                    search,
                    below=_id_ceiling(),
                    limit=SUGGEST_CANDIDATES,
                    windows=SUGGEST_WINDOWS,
                    complete=False,
                )
            )
            .annotate(rank=_rank(search))
            .order_by("-rank", "-id")
            .values_list("id", "title")[: size * 2]
        )
        seen: set[str] = set()
        for note_id, title in rows:
            if title.casefold() not in seen:
                seen.add(title.casefold())
                notes.append((note_id, title))
    return Suggestions(topics=topics, notes=notes[:size])
