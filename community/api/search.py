"""Search API: notes (five sorts), users, topics and suggestions. Read-only, open to everyone; each list
pages with an opaque keyset ``cursor`` (the ``next`` URL carries it) and never OFFSET."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from community.api.trust import SPONSORED_CHOICES, SPONSORED_PARAM, NoteTrustFields
from community.search_listeners import searched
from community.selectors.search import PAGE_SIZE, PAGE_SIZE_MAX
from community.selectors.search.notes import SORT_KEYS, Sort, notes_search
from community.selectors.search.people import topics_search, users_search
from community.selectors.search.suggestions import search_suggest
from core.pagination import CURSOR, page_body, page_size_parameter, paginated
from core.visitor import visitor


class SearchInput(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    cursor = serializers.CharField(required=False, allow_blank=True, default="")
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=PAGE_SIZE_MAX, default=PAGE_SIZE
    )


class NoteSearchInput(SearchInput):
    sort = serializers.ChoiceField(choices=SORT_KEYS, required=False, default=Sort.RELEVANCE)
    sponsored = serializers.ChoiceField(choices=SPONSORED_CHOICES, required=False, default="show")


class SearchAuthorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    nickname = serializers.CharField(source="display_name")
    avatar = serializers.ImageField(allow_null=True)


class CoverOutput(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, image) -> str | None:
        if not image.feed:
            return None
        request = self.context.get("request")
        url = image.feed.url
        return request.build_absolute_uri(url) if request else url


class NoteResultOutput(NoteTrustFields):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = SearchAuthorOutput()
    cover = CoverOutput(allow_null=True)
    like_count = serializers.IntegerField()
    collect_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    liked = serializers.SerializerMethodField()
    collected = serializers.SerializerMethodField()

    def get_liked(self, note) -> bool:
        return note.id in self.context["state"].liked

    def get_collected(self, note) -> bool:
        return note.id in self.context["state"].collected


class UserResultOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    nickname = serializers.CharField(source="display_name")
    avatar = serializers.ImageField(allow_null=True)
    bio = serializers.CharField()
    follower_count = serializers.IntegerField()
    note_count = serializers.IntegerField()


class TopicResultOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    note_count = serializers.IntegerField()


_QUERY_PARAMS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="What to search for, in Chinese and/or English."),
    CURSOR,
    page_size_parameter(default=PAGE_SIZE, maximum=PAGE_SIZE_MAX),
]


class _SearchApi(APIView):
    permission_classes = [AllowAny]
    input_class = SearchInput

    def _input(self, request) -> dict:
        data = self.input_class(data=request.query_params)
        data.is_valid(raise_exception=True)
        return data.validated_data


class NoteSearchApi(_SearchApi):
    input_class = NoteSearchInput

    @extend_schema(
        parameters=[
            *_QUERY_PARAMS,
            OpenApiParameter(
                "sort",
                OpenApiTypes.STR,
                enum=SORT_KEYS,
                description="relevance (default), newest, liked, collected or commented.",
            ),
            SPONSORED_PARAM,
        ],
        responses=paginated("NoteSearchPage", NoteResultOutput),
        summary="Search public notes by title, topics and text",
        description=(
            "Chinese is segmented like the index (jieba words plus two-character windows), so a "
            "two-character word matches inside longer text. All words must match. Relevance ranks "
            "title and topic matches above body matches; only public, published notes are returned."
        ),
    )
    def get(self, request):
        data = self._input(request)
        page = notes_search(
            query=data["q"],
            viewer=request.user,
            sort=data["sort"],
            cursor=data["cursor"] or None,
            page_size=data["page_size"],
            hide_sponsored=data["sponsored"] == "hide",
        )
        if data["q"].strip() and not data["cursor"]:
            searched(who=visitor(request), query=data["q"])  # once per search, not per page
        context = {"request": request, "state": page.state}
        return Response(
            page_body(request, page, NoteResultOutput(page.items, many=True, context=context).data)
        )


class UserSearchApi(_SearchApi):
    @extend_schema(
        parameters=_QUERY_PARAMS,
        responses=paginated("UserSearchPage", UserResultOutput),
        summary="Search people by nickname or username",
    )
    def get(self, request):
        data = self._input(request)
        page = users_search(query=data["q"], cursor=data["cursor"] or None, page_size=data["page_size"])
        results = UserResultOutput(page.items, many=True, context={"request": request}).data
        return Response(page_body(request, page, results))


class TopicSearchApi(_SearchApi):
    @extend_schema(
        parameters=_QUERY_PARAMS,
        responses=paginated("TopicSearchPage", TopicResultOutput),
        summary="Search topics by name",
    )
    def get(self, request):
        data = self._input(request)
        page = topics_search(query=data["q"], cursor=data["cursor"] or None, page_size=data["page_size"])
        return Response(page_body(request, page, TopicResultOutput(page.items, many=True).data))


class SuggestApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="What has been typed so far.")],
        responses=inline_serializer(
            "SearchSuggestions",
            {
                "topics": TopicResultOutput(many=True),
                "notes": inline_serializer(
                    "SuggestedNote",
                    {"id": serializers.IntegerField(), "title": serializers.CharField()},
                    many=True,
                ),
            },
        ),
        summary="Suggestions while typing: topics and note titles",
    )
    def get(self, request):
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        suggestions = search_suggest(query=data.validated_data["q"])
        return Response(
            {
                "topics": TopicResultOutput(suggestions.topics, many=True).data,
                "notes": [{"id": note_id, "title": title} for note_id, title in suggestions.notes],
            }
        )
