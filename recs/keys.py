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
    """List of the note ids the reader opened lately, newest first (capped, expires)."""
    return f"recs:opens:{reader}"


def hides(reader: str) -> str:
    """Set of "kind:id" an anonymous reader said they were not interested in (expires)."""
    return f"recs:hides:{reader}"


def impressions_pending() -> str:
    """Hash "note_id:source" -> impressions not yet flushed to PostgreSQL."""
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
