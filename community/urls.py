"""Community pages. Each area's view module declares its own ``urlpatterns``; they are joined here."""

from community.views import (
    comments,
    feeds,
    interactions,
    links,
    moderation,
    notes,
    notifications,
    profiles,
    search,
    stats,
    trust,
)

app_name = "community"

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
)
