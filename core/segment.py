"""Word segmentation for search: jieba with a dictionary of the site's own words, plus Chinese bigrams.

Notes are indexed with ``index_tokens`` and queries are parsed with ``query_terms``; both cut text the
same way, so the PostgreSQL 'simple' configuration sees the same lexemes on both sides:

- Text is NFKC-normalised (full-width letters and digits become ASCII) and lower-cased, then split into
  runs of Chinese characters and runs of other letters and digits; everything else (punctuation, spaces,
  emoji, ``&|!():*'``) separates tokens and never reaches a tsquery.
- A Latin/digit run is one token ("cerave", "spf50").
- A Chinese run is cut by jieba in search mode (words, and the dictionary sub-words of long words:
  敏感肌 -> 敏感, 敏感肌) and, in addition, into every two-character window (bigram). jieba's word
  boundaries depend on the context ("很好用" -> 很/好/用, so "好用" would not be a token), while the
  bigrams make any Chinese query of two or more characters find every text that contains it: a
  two-character query is a bigram itself, a longer word also matches through all its bigrams.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jieba

DICTIONARY = Path(__file__).parent / "data" / "userdict.txt"
# A lexeme PostgreSQL accepts is < 2 KB; nobody searches for a 60-character "word".
TOKEN_MAX = 60
# What a query may be: longer input is cut (it is typed into a search box, 10 KB is an attack).
QUERY_MAX_CHARS = 100
QUERY_MAX_TERMS = 10

_lock = threading.Lock()
_ready = False
_extra_words: set[str] = set()

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
# A run of Chinese characters, or a run of other letters/digits (no underscore: it is punctuation here).
_RUN_RE = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>(?:(?![{_CJK}])[^\W_])+)")

jieba.setLogLevel(logging.WARNING)


def _ensure_loaded() -> None:
    global _ready
    if _ready:
        return
    with _lock:
        if not _ready:
            jieba.initialize()
            if DICTIONARY.exists():
                jieba.load_userdict(str(DICTIONARY))
            _ready = True


def words_add(words) -> None:
    """Teach the segmenter more words (brand names from the catalog, new topics).

    Notes indexed before a word was added still match it: its bigrams are in their vectors.
    """
    _ensure_loaded()
    for word in words:
        word = unicodedata.normalize("NFKC", word or "").strip().lower()
        if word and word not in _extra_words:
            with _lock:
                jieba.add_word(word, freq=20000)
                _extra_words.add(word)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _runs(text: str):
    """(kind, run, start) for each Chinese run ("cjk") and each other letters/digits run ("word")."""
    for match in _RUN_RE.finditer(text):
        kind = match.lastgroup
        yield kind, match.group(kind), match.start()


def _cjk_tokens(run: str) -> list[tuple[int, int, str]]:
    """(start, -length, token) of jieba's search-mode words and every bigram of a Chinese run."""
    found: dict[tuple[int, str], None] = {}
    for word, start, _end in jieba.tokenize(run, mode="search"):
        word = word[:TOKEN_MAX]
        if word:
            found[(start, word)] = None
    for start in range(len(run) - 1):
        found[(start, run[start : start + 2])] = None
    return sorted((start, -len(word), word) for start, word in found)


def index_tokens(text: str) -> list[str]:
    """The lexemes of ``text`` for its search vector, in the order they appear."""
    _ensure_loaded()
    out: list[tuple[int, int, str]] = []
    for kind, run, offset in _runs(_normalise(text)):
        if kind == "word":
            out.append((offset, -len(run), run[:TOKEN_MAX]))
        else:
            out.extend((offset + start, length, token) for start, length, token in _cjk_tokens(run))
    out.sort()
    return [token for _start, _length, token in out]


def segment(text: str) -> str:
    """``index_tokens`` joined by spaces: what ``to_tsvector('simple', ...)`` is given."""
    return " ".join(index_tokens(text))


# Kept for callers that only want the words of a text.
tokens = index_tokens


@dataclass(frozen=True)
class Term:
    """One word of a query: it matches ``word`` itself or, for a Chinese word of three or more
    characters, all of its ``bigrams``."""

    word: str
    bigrams: tuple[str, ...] = ()
    cjk: bool = False


# One-character words that carry no meaning of their own in a query; other single characters are
# searched together with a neighbour (see ``query_terms``).
PARTICLES = frozenset("的了很也和与及是在就都还吗呢啊吧哦嘛呀之把被让给对着过又或但而太超最更真好")


def _cjk_query_words(run: str) -> list[str]:
    """The words of one Chinese run of a query. jieba's words are kept; a single character is either
    dropped (a particle), or searched as the bigram it forms with its neighbour: the index has every
    bigram, so "超敏感肌肤" asks for 超敏, 敏感肌, 肌肤 and finds any text that contains it whatever
    jieba made of that text. A query of one character is that character (matched as a prefix)."""
    if len(run) == 1:
        return [run]
    words: list[str] = []
    offset = 0
    for word in jieba.cut(run, HMM=True):
        start, offset = offset, offset + len(word)
        if len(word) > 1:
            words.append(word)
        elif word not in PARTICLES:
            words.append(run[start - 1 : start + 1] if start > 0 else run[start : start + 2])
    return words or [run[i : i + 2] for i in range(len(run) - 1)]


def query_terms(query: str) -> list[Term]:
    """The words a query asks for (all of them must match), at most ``QUERY_MAX_TERMS``."""
    _ensure_loaded()
    text = _normalise(query)
    if len(text) > QUERY_MAX_CHARS:
        # Cut at a space when there is one, so the last word is not half a word.
        head = text[:QUERY_MAX_CHARS]
        text = head.rsplit(None, 1)[0] if " " in head.strip() else head
    terms: list[Term] = []
    for kind, run, _offset in _runs(text):
        if kind == "word":
            terms.append(Term(word=run[:TOKEN_MAX]))
            continue
        for word in _cjk_query_words(run):
            word = word[:TOKEN_MAX]
            bigrams = tuple(word[i : i + 2] for i in range(len(word) - 1)) if len(word) > 2 else ()
            terms.append(Term(word=word, bigrams=bigrams, cjk=True))
    unique: dict[Term, None] = dict.fromkeys(terms)
    return list(unique)[:QUERY_MAX_TERMS]


def fold(text: str) -> str:
    """``text`` without accents ("Lancôme" -> "Lancome"), for searches where a shopper types brands
    without them; Chinese is left as it is."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return unicodedata.normalize("NFKC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def lexeme(word: str, *, prefix: bool = False, weights: str = "") -> str:
    """One quoted tsquery lexeme, ``:*`` for a prefix and the weight labels it may match."""
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    suffix = ("*" if prefix else "") + weights
    return f"{quoted}:{suffix}" if suffix else quoted


def tsquery(query: str, *, prefix_last: bool = False, weights: str = "") -> str:
    """A ``to_tsquery('simple', ...)`` expression for ``query``: the AND of its terms; "" when the
    query has no words. With ``prefix_last`` the last term matches as a prefix (typing "cera" finds
    "cerave"); a lone Chinese character always does. ``weights`` ("A") limits matches to those labels.
    """
    terms = query_terms(query)
    parts = []
    for index, term in enumerate(terms):
        prefix = (prefix_last and index == len(terms) - 1) or (term.cjk and len(term.word) == 1)
        word = lexeme(term.word, prefix=prefix, weights=weights)
        if term.bigrams:
            grams = [lexeme(g, weights=weights) for g in term.bigrams[:-1]]
            grams.append(lexeme(term.bigrams[-1], prefix=prefix, weights=weights))
            parts.append(f"({word} | {' & '.join(grams)})")
        else:
            parts.append(word)
    return " & ".join(parts)
