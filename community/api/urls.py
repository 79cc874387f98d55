"""Community API. Each area's module declares its own ``urlpatterns``; they are joined here."""

from community.api import comments, feeds, interactions, moderation, notes, notifications, profiles, search

urlpatterns = (
    feeds.urlpatterns
    + notes.urlpatterns
    + interactions.urlpatterns
    + comments.urlpatterns
    + profiles.urlpatterns
    + notifications.urlpatterns
    + search.urlpatterns
    + moderation.urlpatterns
)
