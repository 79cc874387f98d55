"""Chinese word segmentation for search: jieba with a dictionary of the site's own words.

Notes are indexed and queries are parsed with the same ``segment`` so that the PostgreSQL 'simple'
configuration sees the same tokens on both sides.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import jieba

DICTIONARY = Path(__file__).parent / "data" / "userdict.txt"
_lock = threading.Lock()
_ready = False
_extra_words: set[str] = set()
_TOKEN_OK = re.compile(r"\w", re.UNICODE)

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
    """Teach the segmenter more words (brand names from the catalog, new topics)."""
    _ensure_loaded()
    for word in words:
        word = (word or "").strip()
        if word and word not in _extra_words:
            jieba.add_word(word, freq=20000)
            _extra_words.add(word)


def tokens(text: str) -> list[str]:
    """Search tokens of ``text``: words and, for long words, their sub-words; lower-cased."""
    _ensure_loaded()
    out: list[str] = []
    for token in jieba.cut_for_search(text or ""):
        token = token.strip().lower()
        if token and _TOKEN_OK.search(token):
            out.append(token)
    return out


def segment(text: str) -> str:
    return " ".join(tokens(text))
