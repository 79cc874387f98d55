"""Likes, collects into boards and follows through the API: POST does it, DELETE undoes it, both are
idempotent and answer the state with the server's count. Another user's board is a 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from community.models import Board
from community.selectors.access import access_board, access_note_for_view, access_user
from community.services.interactions import (
    BOARD_NAME_MAX,
    board_create,
    board_default,
    board_delete,
    board_update,
    note_collect,
    note_like,
    note_uncollect,
    note_unlike,
    user_follow,
    user_unfollow,
)
from core.keyset import keyset_page
from core.pagination import CURSOR, page_body, page_params, page_size_parameter, paginated

BOARD_KEYS = ("-is_default", "id")


class LikeOutput(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


class CollectOutput(serializers.Serializer):
    collected = serializers.BooleanField()
    collect_count = serializers.IntegerField()
    board_id = serializers.IntegerField(allow_null=True, help_text="The board it is in now; null if not")


class FollowOutput(serializers.Serializer):
    following = serializers.BooleanField()
    follower_count = serializers.IntegerField()


class BoardOutput(serializers.ModelSerializer):
    class Meta:
        model = Board
        fields = ["id", "name", "is_private", "is_default", "note_count", "created_at"]


class NoteLikeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=LikeOutput, summary="Like a note (liking twice is no error)")
    def post(self, request, note_id: int):
        note = access_note_for_view(user=request.user, note_id=note_id)
        toggle = note_like(user=request.user, note=note)
        return Response(LikeOutput({"liked": toggle.active, "like_count": toggle.count}).data)

    @extend_schema(request=None, responses={204: None}, summary="Remove my like from a note (idempotent)")
    def delete(self, request, note_id: int):
        note = access_note_for_view(user=request.user, note_id=note_id)
        note_unlike(user=request.user, note=note)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoteCollectApi(APIView):
    permission_classes = [IsAuthenticated]

    class CollectInput(serializers.Serializer):
        board_id = serializers.IntegerField(
            required=False, allow_null=True, help_text="One of my boards; my default board if left out"
        )

    @extend_schema(
        request=CollectInput,
        responses=CollectOutput,
        summary="Collect a note into a board; collecting again moves it to that board",
    )
    def post(self, request, note_id: int):
        note = access_note_for_view(user=request.user, note_id=note_id)
        data = self.CollectInput(data=request.data)
        data.is_valid(raise_exception=True)
        board_id = data.validated_data.get("board_id")
        board = (
            access_board(user=request.user, board_id=board_id)
            if board_id
            else board_default(user=request.user)
        )
        toggle = note_collect(user=request.user, note=note, board=board)
        return Response(
            CollectOutput({"collected": True, "collect_count": toggle.count, "board_id": board.pk}).data
        )

    @extend_schema(request=None, responses={204: None}, summary="Remove a note from my boards (idempotent)")
    def delete(self, request, note_id: int):
        note = access_note_for_view(user=request.user, note_id=note_id)
        note_uncollect(user=request.user, note=note)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserFollowApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses=FollowOutput, summary="Follow a person (idempotent; not yourself: 400)"
    )
    def post(self, request, user_id: int):
        toggle = user_follow(follower=request.user, followee=access_user(user_id=user_id))
        return Response(FollowOutput({"following": toggle.active, "follower_count": toggle.count}).data)

    @extend_schema(request=None, responses={204: None}, summary="Stop following a person (idempotent)")
    def delete(self, request, user_id: int):
        user_unfollow(follower=request.user, followee=access_user(user_id=user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BoardInput(serializers.Serializer):
    name = serializers.CharField(max_length=BOARD_NAME_MAX)
    is_private = serializers.BooleanField(required=False, default=False)


class BoardListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            CURSOR,
            page_size_parameter(),
        ],
        responses=paginated("BoardPage", BoardOutput),
        summary="My boards, the default board first (made on first use)",
    )
    def get(self, request):
        board_default(user=request.user)
        page = keyset_page(
            Board.objects.filter(owner=request.user),
            keys=BOARD_KEYS,
            **page_params(request),
            salt="community.boards",
        )
        return Response(page_body(request, page, BoardOutput(page.items, many=True).data))

    @extend_schema(request=BoardInput, responses={201: BoardOutput}, summary="Make a board")
    def post(self, request):
        data = BoardInput(data=request.data)
        data.is_valid(raise_exception=True)
        board = board_create(owner=request.user, **data.validated_data)
        return Response(BoardOutput(board).data, status=status.HTTP_201_CREATED)


class BoardDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    class BoardUpdateInput(serializers.Serializer):
        name = serializers.CharField(max_length=BOARD_NAME_MAX, required=False)
        is_private = serializers.BooleanField(required=False)

    @extend_schema(responses=BoardOutput, summary="One of my boards", operation_id="boards_detail")
    def get(self, request, board_id: int):
        return Response(BoardOutput(access_board(user=request.user, board_id=board_id)).data)

    @extend_schema(
        request=BoardUpdateInput, responses=BoardOutput, summary="Rename a board or change its privacy"
    )
    def patch(self, request, board_id: int):
        board = access_board(user=request.user, board_id=board_id)
        data = self.BoardUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        board = board_update(
            board=board,
            name=data.validated_data.get("name", board.name),
            is_private=data.validated_data.get("is_private", board.is_private),
        )
        return Response(BoardOutput(board).data)

    @extend_schema(
        responses={204: None},
        summary="Delete a board; its notes stay collected, in the default board (which can't be deleted)",
    )
    def delete(self, request, board_id: int):
        board_delete(board=access_board(user=request.user, board_id=board_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
