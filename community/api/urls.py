"""The community API under /api/: every route of the app in one table, by area (the views live in the
modules of this package)."""

from django.urls import path

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

urlpatterns = [
    # feeds
    path("feed/", feeds.DiscoverFeedApi.as_view(), name="api-feed"),
    path("feed/following/", feeds.FollowingFeedApi.as_view(), name="api-feed-following"),
    path("topics/<str:name>/notes/", feeds.TopicNotesApi.as_view(), name="api-topic-notes"),
    # notes
    path("notes/", notes.NoteListApi.as_view(), name="api-notes"),
    path("notes/<int:note_id>/", notes.NoteDetailApi.as_view(), name="api-note"),
    path("notes/<int:note_id>/publish/", notes.NotePublishApi.as_view(), name="api-note-publish"),
    path("topics/suggest/", notes.TopicSuggestApi.as_view(), name="api-topics-suggest"),
    # interactions
    path("notes/<int:note_id>/like/", interactions.NoteLikeApi.as_view(), name="api-note-like"),
    path("notes/<int:note_id>/collect/", interactions.NoteCollectApi.as_view(), name="api-note-collect"),
    path("users/<int:user_id>/follow/", interactions.UserFollowApi.as_view(), name="api-user-follow"),
    path("boards/", interactions.BoardListApi.as_view(), name="api-boards"),
    path("boards/<int:board_id>/", interactions.BoardDetailApi.as_view(), name="api-board"),
    # comments
    path("notes/<int:note_id>/comments/", comments.NoteCommentsApi.as_view(), name="api-note-comments"),
    path(
        "comments/<int:comment_id>/replies/", comments.CommentRepliesApi.as_view(), name="api-comment-replies"
    ),
    path("comments/<int:comment_id>/like/", comments.CommentLikeApi.as_view(), name="api-comment-like"),
    path("comments/<int:comment_id>/", comments.CommentDetailApi.as_view(), name="api-comment"),
    # profiles
    path("users/<int:user_id>/", profiles.ProfileApi.as_view(), name="api-profile"),
    path("users/<int:user_id>/notes/", profiles.ProfileNotesApi.as_view(), name="api-profile-notes"),
    path("users/<int:user_id>/collects/", profiles.ProfileCollectsApi.as_view(), name="api-profile-collects"),
    path("users/<int:user_id>/likes/", profiles.ProfileLikesApi.as_view(), name="api-profile-likes"),
    path("users/<int:user_id>/boards/", profiles.ProfileBoardsApi.as_view(), name="api-profile-boards"),
    path("users/<int:user_id>/followers/", profiles.FollowersApi.as_view(), name="api-profile-followers"),
    path("users/<int:user_id>/following/", profiles.FollowingApi.as_view(), name="api-profile-following"),
    path("boards/<int:board_id>/notes/", profiles.BoardNotesApi.as_view(), name="api-board-notes"),
    # notifications
    path("notifications/", notifications.NotificationListApi.as_view(), name="api-notifications"),
    path(
        "notifications/unread/",
        notifications.NotificationUnreadApi.as_view(),
        name="api-notifications-unread",
    ),
    path("notifications/read/", notifications.NotificationReadApi.as_view(), name="api-notifications-read"),
    # search
    path("search/notes/", search.NoteSearchApi.as_view(), name="api-search-notes"),
    path("search/users/", search.UserSearchApi.as_view(), name="api-search-users"),
    path("search/topics/", search.TopicSearchApi.as_view(), name="api-search-topics"),
    path("search/suggest/", search.SuggestApi.as_view(), name="api-search-suggest"),
    # moderation
    path("reports/", moderation.ReportCreateApi.as_view(), name="api-reports"),
    # links
    path("catalog/search/", links.CatalogSearchApi.as_view(), name="api-catalog-search"),
    path(
        "notes/<int:note_id>/products/<int:product_id>/cart/",
        links.NoteProductCartApi.as_view(),
        name="api-note-product-cart",
    ),
    # trust
    path("products/<int:product_id>/notes/", trust.ProductNotesApi.as_view(), name="api-product-notes"),
    # stats
    path("me/stats/", stats.CreatorStatsApi.as_view(), name="api-creator-stats"),
    # recommend
    path(
        "recommendations/products/",
        recommend.RecommendedProductsApi.as_view(),
        name="api-recommended-products",
    ),
    path("operators/demand/", recommend.OperatorDemandApi.as_view(), name="api-operator-demand"),
]
