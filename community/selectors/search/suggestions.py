"""Suggestions while someone types: matching topics, and titles of recent notes."""

from __future__ import annotations

from dataclasses import dataclass, field

from community.models import Note
from community.selectors.search.notes import id_ceiling, note_candidates, note_query, text_rank
from community.selectors.search.people import topics_search
from community.selectors.search.products import QUERY_MAX
from mall.selectors.catalog import products_named

SUGGEST_SIZE = 5
PRODUCT_SUGGESTIONS = 3
SUGGEST_CANDIDATES = 50
# Suggestions come from the newest notes only: a title match is rare among all matches of a prefix
# ("口" is in thousands of bodies), and a complete answer is what the search page is for.
SUGGEST_WINDOWS = (2_000, 10_000)


@dataclass
class Suggestions:
    topics: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # (id, title)
    products: list = field(default_factory=list)  # mall products the words name

    def __bool__(self) -> bool:
        return bool(self.topics or self.notes or self.products)


def search_suggest(*, query: str, size: int = SUGGEST_SIZE) -> Suggestions:
    """What to offer while someone types: matching topics, titles of recent notes whose title or topics
    match with the last word as a prefix ("cera" -> CeraVe), and the products whose name or brand the
    words name (the mall's search). Four queries (topics, the newest id, titles, products), none for an
    empty query."""
    topics = topics_search(query=query, page_size=size).items
    products = products_named(query=query[:QUERY_MAX], size=PRODUCT_SUGGESTIONS, cards=False)
    search = note_query(query, prefix_last=True, weights="A")
    notes: list[tuple[int, str]] = []
    if search is not None:
        rows = (
            Note.objects.filter(
                id__in=note_candidates(
                    search,
                    below=id_ceiling(),
                    limit=SUGGEST_CANDIDATES,
                    windows=SUGGEST_WINDOWS,
                    complete=False,
                )
            )
            .annotate(rank=text_rank(search))
            .order_by("-rank", "-id")
            .values_list("id", "title")[: size * 2]
        )
        seen: set[str] = set()
        for note_id, title in rows:
            if title.casefold() not in seen:
                seen.add(title.casefold())
                notes.append((note_id, title))
    return Suggestions(topics=topics, notes=notes[:size], products=products)
