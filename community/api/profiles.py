"""Profiles API: a user with their counts, their notes / collects / likes, boards, follower lists, and a
board's notes. Lists are keyset pages (``?cursor=``, ``?page_size=``). Collects and likes a user keeps
private answer 403 ``private`` to everybody else; a private board is 404 to everybody else."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from community.api.cards import absolute_url
from community.api.feeds import (
    PAGE_SIZE,
    FeedCardOutput,
    FeedPageOutput,
    note_page_response,
)
from community.selectors import profiles as selectors
from core.errors import Forbidden
from core.pagination import CURSOR, page_body, page_params, paginated


class ProfileOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    nickname = serializers.CharField(source="display_name")
    avatar = serializers.SerializerMethodField()
    bio = serializers.CharField()
    following_count = serializers.IntegerField()
    follower_count = serializers.IntegerField()
    likes_and_collects_count = serializers.IntegerField(
        source="received_count", help_text="Likes and collects received on their notes."
    )
    is_following = serializers.BooleanField(source="viewer_follows", help_text="Whether you follow them.")
    likes_private = serializers.BooleanField()
    collects_private = serializers.BooleanField()

    def get_avatar(self, user) -> str | None:
        return absolute_url(self.context["request"], user.avatar)


class ProfilePersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    nickname = serializers.CharField(source="display_name")
    avatar = serializers.SerializerMethodField()
    bio = serializers.CharField()
    is_following = serializers.SerializerMethodField(help_text="Whether you follow them.")

    def get_avatar(self, user) -> str | None:
        return absolute_url(self.context["request"], user.avatar)

    def get_is_following(self, user) -> bool:
        return user.pk in self.context["viewer_follows"]


PeoplePageOutput = paginated("PeoplePage", ProfilePersonOutput)


class ProfileBoardOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_private = serializers.BooleanField()
    is_default = serializers.BooleanField()
    note_count = serializers.IntegerField()
    cover = serializers.SerializerMethodField(help_text="The latest collected note's cover you may see.")

    def get_cover(self, board) -> str | None:
        url = getattr(board, "cover_url", None)
        return self.context["request"].build_absolute_uri(url) if url else None


class ProfileBoardOwnerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    nickname = serializers.CharField(source="display_name")


class ProfileBoardDetailOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_private = serializers.BooleanField()
    note_count = serializers.IntegerField()
    owner = ProfileBoardOwnerOutput()


BoardNotesPageOutput = paginated("BoardNotesPage", FeedCardOutput, board=ProfileBoardDetailOutput())


class ProfileApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ProfileOutput, summary="A user's profile with their counts", tags=["profiles"])
    def get(self, request, user_id: int):
        profile = selectors.profile_get(user_id=user_id, viewer=request.user)
        return Response(ProfileOutput(profile.user, context={"request": request}).data)


class _ProfileNotesApi(APIView):
    """A list of notes on a user's profile: ``select`` reads it; when ``private`` (the profile's flag,
    the refusal) is set and the flag is on, everybody but the user gets a 403 ``private``."""

    permission_classes = [AllowAny]
    select = None
    private: tuple[str, str] | None = None

    def get(self, request, user_id: int):
        profile = selectors.profile_get(user_id=user_id, viewer=request.user)
        if self.private and getattr(profile, self.private[0]):
            raise Forbidden(str(self.private[1]), code="private")
        notes = type(self).select(profile=profile, viewer=request.user, **page_params(request))
        return note_page_response(request, notes)


class ProfileNotesApi(_ProfileNotesApi):
    select = staticmethod(selectors.profile_notes)

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE],
        responses=FeedPageOutput,
        summary="A user's notes, newest first (yours include private and under-review ones)",
        tags=["profiles"],
    )
    def get(self, request, user_id: int):
        return super().get(request, user_id)


class ProfileCollectsApi(_ProfileNotesApi):
    select = staticmethod(selectors.profile_collects)
    private = ("collects_hidden", gettext_lazy("This person keeps their collects private."))

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE],
        responses={200: FeedPageOutput},
        summary="What a user collected (public boards only, unless it is you), most recent first",
        tags=["profiles"],
    )
    def get(self, request, user_id: int):
        return super().get(request, user_id)


class ProfileLikesApi(_ProfileNotesApi):
    select = staticmethod(selectors.profile_likes)
    private = ("likes_hidden", gettext_lazy("This person keeps their likes private."))

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE],
        responses={200: FeedPageOutput},
        summary="What a user liked, most recent first",
        tags=["profiles"],
    )
    def get(self, request, user_id: int):
        return super().get(request, user_id)


class ProfileBoardsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=ProfileBoardOutput(many=True),
        summary="A user's boards (only public ones unless it is you)",
        tags=["profiles"],
    )
    def get(self, request, user_id: int):
        profile = selectors.profile_get(user_id=user_id, viewer=request.user)
        if profile.collects_hidden:
            raise Forbidden(_("This person keeps their collects private."), code="private")
        boards = selectors.profile_boards(profile=profile, viewer=request.user)
        return Response(ProfileBoardOutput(boards, many=True, context={"request": request}).data)


class _PeopleApi(APIView):
    permission_classes = [AllowAny]
    select = None

    def get(self, request, user_id: int):
        profile = selectors.profile_get(user_id=user_id, viewer=request.user)
        people = type(self).select(
            user=profile.user,
            viewer=request.user,
            **page_params(request, default=selectors.USERS_PAGE_SIZE),
        )
        context = {"request": request, "viewer_follows": people.viewer_follows}
        results = ProfilePersonOutput(people.users, many=True, context=context).data
        return Response(page_body(request, people.page, results))


class FollowersApi(_PeopleApi):
    select = staticmethod(selectors.followers_page)

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE],
        responses=PeoplePageOutput,
        summary="Who follows a user, most recent first",
        tags=["profiles"],
    )
    def get(self, request, user_id: int):
        return super().get(request, user_id)


class FollowingApi(_PeopleApi):
    select = staticmethod(selectors.following_page)

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE],
        responses=PeoplePageOutput,
        summary="Whom a user follows, most recent first",
        tags=["profiles"],
    )
    def get(self, request, user_id: int):
        return super().get(request, user_id)


class BoardNotesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE],
        responses=BoardNotesPageOutput,
        summary="A board and its notes, most recently collected first (private boards: owner only)",
        tags=["profiles"],
    )
    def get(self, request, board_id: int):
        board = selectors.board_get(board_id=board_id, viewer=request.user)
        response = note_page_response(
            request, selectors.board_notes(board=board, viewer=request.user, **page_params(request))
        )
        response.data = {"board": ProfileBoardDetailOutput(board).data, **response.data}
        return response


urlpatterns = [
    path("users/<int:user_id>/", ProfileApi.as_view(), name="api-profile"),
    path("users/<int:user_id>/notes/", ProfileNotesApi.as_view(), name="api-profile-notes"),
    path("users/<int:user_id>/collects/", ProfileCollectsApi.as_view(), name="api-profile-collects"),
    path("users/<int:user_id>/likes/", ProfileLikesApi.as_view(), name="api-profile-likes"),
    path("users/<int:user_id>/boards/", ProfileBoardsApi.as_view(), name="api-profile-boards"),
    path("users/<int:user_id>/followers/", FollowersApi.as_view(), name="api-profile-followers"),
    path("users/<int:user_id>/following/", FollowingApi.as_view(), name="api-profile-following"),
    path("boards/<int:board_id>/notes/", BoardNotesApi.as_view(), name="api-board-notes"),
]
