"""Product search: one function for the mall's search box, the composer's product picker, the main
search's products tab and strip, and the API (docs/architecture.md, "Product search").

A query is folded and cut like the index (``core.segment``; mall.services.search writes the vectors):

- **Synonyms** (mall/data/synonyms.txt): the longest member of a group found in the query stands for the
  whole group, so 防晒, 防晒霜 and "sunscreen" find the same products whichever words the catalog uses.
- **Words**: every other word must match. A Chinese word matches itself or all of its bigrams (the index
  has every bigram); a Latin word of three letters or more matches as a prefix, and a trailing plural "s"
  is dropped first ("sunscreens" finds "sunscreen", "cera" finds "cerave").
- **Ranking**: relevance in three tiers by where the whole query matches (3: in names and brands, the
  index's A; 2: in categories and variants too, B; 1: anywhere, descriptions and countries included),
  then sales, then the newest. Tiers rather than ``ts_rank_cd``'s fractions: a shopper who types 防晒
  expects the best-selling sunscreen first, not the one whose name happens to be shortest; and an
  integer is what a keyset cursor carries exactly.
- **A misspelt brand**: when the words match nothing, the query's words are compared with the brands'
  names (``difflib``, one query for the names) and the search runs again with the brand put right
  ("shiseido" for "shisedo"); the result says which query it searched (``corrected``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from django.contrib.postgres.search import SearchQuery
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL

from core import segment
from core.keyset import Page, keyset_page
from mall.models import Brand, Product
from mall.services.search import brand_squashed

SYNONYMS = Path(__file__).resolve().parent.parent / "data" / "synonyms.txt"
RELEVANCE_SQL = (
    "CASE WHEN search_vector @@ to_tsquery('simple', %s) THEN 3"
    " WHEN search_vector @@ to_tsquery('simple', %s) THEN 2 ELSE 1 END"
)
RELEVANCE_KEYS = ("-relevance", "-sales_count", "-id")
LATIN_PREFIX_MIN = 3
# How close a typed word must be to a brand's name to be read as it (difflib's ratio).
CORRECTION_CUTOFF = 0.75
CORRECTION_WORD_MIN = 4
_WORDLIKE = r"[^\W_]"


def _clean(text: str) -> str:
    """Folded, lower-cased, spaces collapsed, cut to the longest query, and plurals off ("sunscreens"
    is read as the synonym "sunscreen")."""
    text = " ".join(segment.fold(text or "").lower().split())[: segment.QUERY_MAX_CHARS]
    return re.sub(r"[a-z0-9]+", lambda m: _stem(m.group()), text)


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    groups = []
    for line in SYNONYMS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            members = tuple(dict.fromkeys(m for m in (_clean(part) for part in line.split("|")) if m))
            if members:
                groups.append(members)
    return tuple(groups)


@cache
def _synonym_patterns() -> tuple[tuple[re.Pattern, int], ...]:
    """(pattern, group index) for every member, the longest first. A Latin member matches whole words
    only ("spf" in "spf 50", not in "spfx"); a Chinese one anywhere."""
    members = [(m, i) for i, group in enumerate(synonym_groups()) for m in group]
    members.sort(key=lambda item: -len(item[0]))
    patterns = []
    for member, index in members:
        escaped = re.escape(member)
        if re.search(r"[a-z0-9]", member):
            escaped = rf"(?<!{_WORDLIKE}){escaped}(?!{_WORDLIKE})"
        patterns.append((re.compile(escaped), index))
    return tuple(patterns)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _phrase(text: str, *, weights: str = "") -> str:
    """The AND of the words of ``text`` (see the module's description); "" when it has none."""
    parts = []
    for term in segment.query_terms(text):
        if not term.cjk:
            stem = _stem(term.word)
            prefix = len(stem) >= LATIN_PREFIX_MIN and not stem.isdigit()
            parts.append(segment.lexeme(stem, prefix=prefix, weights=weights))
            continue
        prefix = len(term.word) == 1
        word = segment.lexeme(term.word, prefix=prefix, weights=weights)
        if term.bigrams:
            grams = " & ".join(segment.lexeme(g, weights=weights) for g in term.bigrams)
            parts.append(f"({word} | {grams})")
        else:
            parts.append(word)
    return " & ".join(parts)


@cache
def _group_query(index: int, weights: str) -> str:
    members = [_phrase(member, weights=weights) for member in synonym_groups()[index]]
    return "(" + " | ".join(f"({m})" for m in members if m) + ")"


@lru_cache(maxsize=2048)
def product_tsquery(query: str, *, weights: str = "") -> str:
    """The ``to_tsquery('simple', ...)`` text for a shopper's query ("" when nothing is searchable).
    ``weights`` ("A") limits it to names and brands. Cached: one search asks for the same query in up
    to four weightings (matching, the relevance tiers, the strip), and segmenting is the costly part."""
    text = _clean(query)
    parts: list[str] = []
    for pattern, index in _synonym_patterns():
        if len(parts) >= segment.QUERY_MAX_TERMS:
            break
        if pattern.search(text):
            parts.append(_group_query(index, weights))
            text = pattern.sub(" ", text)
    rest = _phrase(text, weights=weights)
    if rest:
        parts.append(rest)
    return " & ".join(parts[: segment.QUERY_MAX_TERMS])


def products_matching(queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    """``queryset`` narrowed to the products matching ``query`` (a shopper's words; nothing when no word
    is searchable), annotated with ``relevance``."""
    tsquery = product_tsquery(query)
    if not tsquery:
        return queryset.none()
    tiers = [product_tsquery(query, weights="A"), product_tsquery(query, weights="AB")]
    relevance = RawSQL(RELEVANCE_SQL, tiers, output_field=IntegerField())  # noqa: S611 - constant SQL
    return queryset.filter(search_vector=SearchQuery(tsquery, search_type="raw", config="simple")).annotate(
        relevance=relevance
    )


def query_correction(query: str) -> str:
    """``query`` with a misspelt brand put right ("" when no word is close to a brand): one query."""
    text = _clean(query)
    words = [w for w in re.findall(rf"{_WORDLIKE}+", text) if not re.search(r"[\u3400-\u9fff]", w)]
    if not words:
        return ""
    names: dict[str, str] = {}
    word_of: dict[str, str] = {}
    for row in Brand.objects.values_list("name_en", "name_zh_hans", "name"):
        for name in filter(None, row):
            squashed = brand_squashed(name)
            if squashed:
                names.setdefault(squashed, name)
                for part in re.findall(rf"{_WORDLIKE}+", _clean(name)):
                    if len(part) >= CORRECTION_WORD_MIN:
                        word_of.setdefault(part, part)
    whole = "".join(words)
    if whole not in names:
        match = difflib.get_close_matches(whole, list(names), n=1, cutoff=CORRECTION_CUTOFF)
        if match:
            return names[match[0]]
    fixed, changed = [], False
    for word in words:
        if len(word) >= CORRECTION_WORD_MIN and word not in word_of and word not in names:
            match = difflib.get_close_matches(word, list(word_of), n=1, cutoff=CORRECTION_CUTOFF)
            if match:
                fixed.append(match[0])
                changed = True
                continue
        fixed.append(word)
    return " ".join(fixed) if changed else ""


@dataclass
class ProductSearchPage:
    """A page of matches; ``query`` is what was searched (``corrected`` when a misspelt brand was put
    right, so the next page asks for the same)."""

    page: Page
    query: str
    corrected: bool = False


def product_search(
    *,
    query: str,
    queryset: QuerySet[Product],
    cursor: str | None = None,
    size: int,
    salt: str,
    keys: tuple[str, ...] = RELEVANCE_KEYS,
    weights: str = "",
    correct: bool = True,
) -> ProductSearchPage:
    """A page of ``queryset``'s products matching ``query`` in ``keys`` order (relevance, then sales, by
    default): one query, one more (the brands) when nothing matches and a correction is tried, and one
    more for the corrected search (unless ``correct`` is false). An empty page when nothing in the query
    is searchable."""
    if not product_tsquery(query, weights=weights):
        return ProductSearchPage(page=Page(items=[]), query=query)

    def matches(words: str) -> QuerySet[Product]:
        found = products_matching(queryset, words)
        if weights:  # only products the words name (in those labels)
            found = found.filter(
                search_vector=SearchQuery(
                    product_tsquery(words, weights=weights), search_type="raw", config="simple"
                )
            )
        return found

    page = keyset_page(matches(query), keys=keys, cursor=cursor, size=size, salt=f"{salt}|{query}")
    if page.items or cursor or not correct:
        return ProductSearchPage(page=page, query=query)
    corrected = query_correction(query)
    if not corrected or not product_tsquery(corrected, weights=weights):
        return ProductSearchPage(page=page, query=query)
    page = keyset_page(matches(corrected), keys=keys, cursor=None, size=size, salt=f"{salt}|{corrected}")
    return ProductSearchPage(page=page, query=corrected, corrected=True)
