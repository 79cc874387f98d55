"""Community pages, mounted at the site root (namespace "community")."""

from django.urls import path

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

urlpatterns = [
    # The plain hot ranking: the discovery feed for everyone alike (``/`` is the personal one when the recs
    # app is installed, and falls back to this with the operators' switch).
    path("hot/", feeds.home, name="feed_hot"),
    path("following/", feeds.feed_following, name="feed_following"),
    path("topics/<str:name>/", feeds.topic, name="topic"),
    path("notes/new/", notes.note_new, name="note_new"),
    path("notes/<int:note_id>/", notes.note_detail, name="note"),
    path("notes/<int:note_id>/edit/", notes.note_edit, name="note_edit"),
    path("notes/<int:note_id>/delete/", notes.note_remove, name="note_delete"),
    path("notes/<int:note_id>/publish/", notes.note_publish_view, name="note_publish"),
    path("notes/topics/suggest/", notes.topic_suggestions, name="topic_suggest"),
    path("notes/<int:note_id>/like/", interactions.note_like_view, name="note_like"),
    path("notes/<int:note_id>/unlike/", interactions.note_unlike_view, name="note_unlike"),
    path("notes/<int:note_id>/collect/", interactions.note_collect_view, name="note_collect"),
    path("notes/<int:note_id>/uncollect/", interactions.note_uncollect_view, name="note_uncollect"),
    path("users/<int:user_id>/follow/", interactions.user_follow_view, name="user_follow"),
    path("users/<int:user_id>/unfollow/", interactions.user_unfollow_view, name="user_unfollow"),
    path("boards/new/", interactions.board_new_view, name="board_new"),
    path("boards/<int:board_id>/edit/", interactions.board_edit_view, name="board_edit"),
    path("boards/<int:board_id>/delete/", interactions.board_delete_view, name="board_delete"),
    path("notes/<int:note_id>/comments/", comments.comment_create_view, name="comment_create"),
    path("notes/<int:note_id>/comments/more/", comments.comments_more_view, name="comments_more"),
    path("comments/<int:comment_id>/replies/", comments.comment_replies_view, name="comment_replies"),
    path("comments/<int:comment_id>/reply/", comments.comment_reply_view, name="comment_reply"),
    path("comments/<int:comment_id>/like/", comments.comment_like_view, name="comment_like"),
    path("comments/<int:comment_id>/unlike/", comments.comment_unlike_view, name="comment_unlike"),
    path("comments/<int:comment_id>/delete/", comments.comment_delete_view, name="comment_delete"),
    path("users/<int:user_id>/", profiles.profile, name="profile"),
    path("users/<int:user_id>/followers/", profiles.followers, name="followers"),
    path("users/<int:user_id>/following/", profiles.following, name="following"),
    path("boards/<int:board_id>/", profiles.board, name="board"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("search/", search.search, name="search"),
    path("search/suggest/", search.search_suggest, name="search_suggest"),
    path("notes/<int:note_id>/report/", moderation.report_note, name="report_note"),
    path("comments/<int:comment_id>/report/", moderation.report_comment, name="report_comment"),
    path("notes/products/search/", links.product_search, name="note_product_search"),
    path("notes/<int:note_id>/products/<int:product_id>/", links.card_open, name="note_product_open"),
    path("notes/<int:note_id>/products/<int:product_id>/buy/", links.card_buy_view, name="note_product_buy"),
    path(
        "notes/<int:note_id>/products/<int:product_id>/cart/", links.card_cart_view, name="note_product_cart"
    ),
    path("notes/for-product/<int:product_id>/", trust.product_notes_fragment, name="product_notes_fragment"),
    path("notes/for-product/<int:product_id>/all/", trust.product_notes_page, name="product_notes"),
    path("me/stats/", stats.creator_stats_page, name="creator_stats"),
]
