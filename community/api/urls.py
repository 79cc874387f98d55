"""Community API. Each area's module declares its own ``urlpatterns``; they are joined here."""

from community.api import (
    comments,
    feeds,
    interactions,
    links,
    moderation,
    notes,
    notifications,
    profiles,
    recommend,
    search,
    stats,
    trust,
)

urlpatterns = (
    feeds.urlpatterns
    + notes.urlpatterns
    + interactions.urlpatterns
    + comments.urlpatterns
    + profiles.urlpatterns
    + notifications.urlpatterns
    + search.urlpatterns
    + moderation.urlpatterns
    + links.urlpatterns
    + trust.urlpatterns
    + stats.urlpatterns
    + recommend.urlpatterns
)
