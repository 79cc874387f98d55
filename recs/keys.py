"""Every Redis key of the personal feed. ``reader`` is a visitor key (``core.visitor``): ``u:<id>`` for a
signed-in reader, ``c:<cookie>`` for an anonymous one."""

#: The reader whose candidate list every reader without history shares (a first visit, a client without
#: cookies): hot and exploration, built once for all of them. Readers are u:<id>, c:<cookie>, a:<address>.
SHARED_READER = "s:new"


def candidates(reader: str) -> str:
    """Sorted set note_id -> blended score: the reader's candidate list (expires)."""
    return f"recs:cand:{reader}"


def candidates_meta(reader: str) -> str:
    """Hash note_id -> "author|topic,topic|source|sponsored" for the page rules, plus ``_built`` (epoch s),
    ``_opens`` (how many opens the list had seen when built) and ``_id`` (random, one per stored list)."""
    return f"recs:meta:{reader}"


def seen(reader: str) -> str:
    """Sorted set note_id -> epoch seconds it was last shown to the reader (trimmed, expires)."""
    return f"recs:seen:{reader}"


def shown_source(reader: str) -> str:
    """Hash note_id -> the source that showed it, to credit the source when the reader engages."""
    return f"recs:shown:{reader}"


def opens(reader: str) -> str:
    """Sorted set note_id -> epoch seconds the reader last opened it (one member per note, the newest
    ``OPENS_MAX`` kept, expires). A list before: ``recs:opens:`` keys left by it simply expire."""
    return f"recs:opened:{reader}"


def searches(reader: str) -> str:
    """Sorted set word -> epoch seconds the reader last searched for it (one member per word, the newest
    ``SEARCH_WORDS_MAX`` kept, expires)."""
    return f"recs:searched:{reader}"


def taps_today(reader: str) -> str:
    """Counter of the card taps counted for the reader today (the per-reader cap; expires in a day)."""
    return f"recs:taps:{reader}"


def tap_address_budget(note_id: int, address: str) -> str:
    """Counter of the anonymous readers whose tap on ``note_id`` was counted from one address (expires)."""
    return f"recs:tap-addr:{note_id}:{address}"


def hides(reader: str) -> str:
    """Set of "kind:id" an anonymous reader said they were not interested in (expires)."""
    return f"recs:hides:{reader}"


def impressions_pending() -> str:
    """Hash "note_id:source" -> impressions, "e:source" -> engagements and "t:surface:source" -> card taps
    not yet flushed to PostgreSQL."""
    return "recs:imp:pending"


def impressions_flushing() -> str:
    return "recs:imp:flushing"


def impressions_flush_lock() -> str:
    return "recs:imp:flush-lock"


def explore_shown() -> str:
    """Hash note_id -> exploration impressions so far (live; pruned when the note leaves the window)."""
    return "recs:explore:shown"


def hot_ids() -> str:
    """String: the global hot list's note ids, comma separated, cached briefly for every reader."""
    return "recs:hot"


def active_readers() -> str:
    """Sorted set reader -> epoch seconds of their last feed page, for the Celery refresh."""
    return "recs:active"
