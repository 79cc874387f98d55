"""Every Redis key of the community app."""


def note_views_pending() -> str:
    """Hash note_id -> views not yet flushed to PostgreSQL."""
    return "community:views:pending"


def note_views_flushing() -> str:
    """The pending hash, moved aside by the flush that is adding it to PostgreSQL."""
    return "community:views:flushing"


def note_views_flush_lock() -> str:
    """Held (SET NX EX, with a token) by the one flush running, so two never add the same batch."""
    return "community:views:flush-lock"


def note_viewed(note_id: int, viewer: str) -> str:
    """Set while a viewer's visit counts, so a reload does not count twice."""
    return f"community:viewed:{note_id}:{viewer}"


def profile_counts(user_id: int) -> str:
    """A profile header's counts (following, followers, likes and collects received), cached for
    ``PROFILE_COUNTS_TTL`` seconds and dropped when the user follows or is followed."""
    return f"community:profile-counts:{user_id}"
