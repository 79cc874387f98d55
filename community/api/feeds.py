"""Feeds API: discovery (hot), following (newest), a topic's notes. Keyset pages with opaque cursors:
``?cursor=`` from the previous page's ``next_cursor`` (or follow ``next``), ``?page_size=`` up to 100,
``?sponsored=hide`` to leave out sponsored notes (the ``next`` link keeps it). Every card says whether it
is ``sponsored`` (and by which ``sponsor``) and whether its writer ``bought_here``."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from community.api.cards import FeedAuthorOutput, FeedCoverOutput
from community.api.trust import SPONSORED_PARAM, NoteTrustFields, sponsored_hide_parse
from community.selectors import feeds as selectors
from community.selectors.feeds import NotePage
from core.pagination import CURSOR, page_body, page_params, page_size_parameter, paginated


class FeedCardOutput(NoteTrustFields):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = FeedAuthorOutput()
    cover = FeedCoverOutput(allow_null=True)
    like_count = serializers.IntegerField()
    collect_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    liked = serializers.SerializerMethodField()
    collected = serializers.SerializerMethodField()
    visibility = serializers.CharField(help_text="Only the author ever sees 'private'.")
    status = serializers.CharField(help_text="Only the author ever sees a note that is not 'published'.")
    created_at = serializers.DateTimeField()

    def get_liked(self, note) -> bool:
        return note.pk in self.context["state"].liked

    def get_collected(self, note) -> bool:
        return note.pk in self.context["state"].collected


FeedPageOutput = paginated("FeedPage", FeedCardOutput)


class FeedTopicOutput(serializers.Serializer):
    name = serializers.CharField()
    note_count = serializers.IntegerField()


TopicFeedPageOutput = paginated("TopicFeedPage", FeedCardOutput, topic=FeedTopicOutput())

PAGE_SIZE = page_size_parameter()


def note_page_response(request, note_page: NotePage) -> Response:
    context = {"request": request, "state": note_page.state}
    results = FeedCardOutput(note_page.notes, many=True, context=context).data
    return Response(page_body(request, note_page.page, results))


def feed_args(request) -> dict:
    """The page arguments plus the reader's sponsored filter (a bad value is a 400)."""
    return {**page_params(request), "hide_sponsored": sponsored_hide_parse(request.query_params)}


class DiscoverFeedApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE, SPONSORED_PARAM],
        responses=FeedPageOutput,
        summary="The discovery feed: public notes by hot score",
        tags=["feeds"],
    )
    def get(self, request):
        return note_page_response(request, selectors.feed_discover(viewer=request.user, **feed_args(request)))


class FollowingFeedApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE, SPONSORED_PARAM],
        responses=FeedPageOutput,
        summary="Newest notes from the writers you follow",
        tags=["feeds"],
    )
    def get(self, request):
        return note_page_response(
            request, selectors.feed_following(viewer=request.user, **feed_args(request))
        )


class TopicNotesApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        sort = serializers.ChoiceField(choices=selectors.TOPIC_SORTS, default="hot", required=False)

    @extend_schema(
        parameters=[
            CURSOR,
            PAGE_SIZE,
            SPONSORED_PARAM,
            OpenApiParameter(
                "sort", str, enum=list(selectors.TOPIC_SORTS), description="hot (default) or new"
            ),
        ],
        responses=TopicFeedPageOutput,
        summary="A topic's public notes, hot or newest first",
        tags=["feeds"],
    )
    def get(self, request, name: str):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        topic = selectors.topic_get(name=name)
        note_page = selectors.topic_notes(
            topic=topic, viewer=request.user, sort=params.validated_data["sort"], **feed_args(request)
        )
        response = note_page_response(request, note_page)
        response.data = {"topic": FeedTopicOutput(topic).data, **response.data}
        return response


urlpatterns = [
    path("feed/", DiscoverFeedApi.as_view(), name="api-feed"),
    path("feed/following/", FollowingFeedApi.as_view(), name="api-feed-following"),
    path("topics/<str:name>/notes/", TopicNotesApi.as_view(), name="api-topic-notes"),
]
