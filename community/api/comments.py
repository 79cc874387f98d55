"""Comments through the API: a note's comments (most liked first, each with its first replies) and
more replies under a comment, both with a cursor; posting, replying, liking and deleting. A comment that
is not yours to delete, or on a note you can't see, is a 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from community.models import COMMENT_MAX
from community.selectors.access import access_comment, access_note_for_view
from community.selectors.comments import comments_page, replies_page
from community.services.comments import comment_create, comment_delete
from community.services.interactions import comment_like, comment_unlike
from core.pagination import CURSOR, page_body, page_params, page_size_parameter, paginated

PAGE_SIZE_MAX = 50


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    nickname = serializers.CharField(source="display_name")


class AuthorOutput(PersonOutput):
    avatar = serializers.ImageField(allow_null=True)


class ReplyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    note_id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True, help_text="The top-level comment; null for one")
    author = AuthorOutput()
    reply_to = PersonOutput(allow_null=True, help_text="The person @-ed by a reply to a reply")
    body = serializers.CharField(help_text="Plain text: escape it before showing it")
    like_count = serializers.IntegerField()
    liked = serializers.BooleanField(help_text="Whether I like it")
    is_note_author = serializers.BooleanField(help_text="Written by the note's author")
    can_delete = serializers.BooleanField(help_text="I wrote it or I wrote the note")
    under_review = serializers.BooleanField(help_text="Hidden by moderation: only its author sees it")
    created_at = serializers.DateTimeField()


class CommentOutput(ReplyOutput):
    reply_count = serializers.IntegerField()
    first_replies = ReplyOutput(many=True)
    more_replies = serializers.IntegerField(help_text="Replies not in first_replies")
    replies_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as ?cursor= to the replies endpoint for the rest"
    )


def _decorated_reply(comment, *, viewer, note) -> object:
    """Flags of a comment just written, as the selector sets them on listed ones."""
    comment.liked = False
    comment.is_note_author = comment.author_id == note.author_id
    comment.can_delete = True
    comment.under_review = False
    comment.first_replies, comment.more_replies, comment.replies_cursor = [], 0, None
    return comment


_PAGE_PARAMETERS = [
    CURSOR,
    page_size_parameter(default=10, maximum=PAGE_SIZE_MAX),
]


class NoteCommentsApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    class CommentInput(serializers.Serializer):
        body = serializers.CharField(max_length=COMMENT_MAX)
        reply_to = serializers.IntegerField(
            required=False, allow_null=True, help_text="A comment or reply on the same note to answer"
        )

    @extend_schema(
        parameters=_PAGE_PARAMETERS,
        responses=paginated("CommentPage", CommentOutput),
        summary="A note's comments, most liked first, each with its first two replies",
    )
    def get(self, request, note_id: int):
        note = access_note_for_view(user=request.user, note_id=note_id)
        page = comments_page(
            note=note,
            viewer=request.user,
            **page_params(request, default=10, maximum=PAGE_SIZE_MAX),
        )
        return Response(
            page_body(
                request, page, CommentOutput(page.comments, many=True, context={"request": request}).data
            )
        )

    @extend_schema(
        request=CommentInput,
        responses={201: CommentOutput},
        summary="Comment on a note, or reply to one of its comments (`reply_to`)",
    )
    def post(self, request, note_id: int):
        note = access_note_for_view(user=request.user, note_id=note_id)
        data = self.CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        reply_to_id = data.validated_data.get("reply_to")
        reply_to = access_comment(user=request.user, comment_id=reply_to_id) if reply_to_id else None
        comment = comment_create(
            author=request.user, note=note, body=data.validated_data["body"], reply_to=reply_to
        )
        comment.author = request.user
        comment.reply_to = reply_to.author if comment.reply_to_id else None
        output = CommentOutput(
            _decorated_reply(comment, viewer=request.user, note=note), context={"request": request}
        )
        return Response(output.data, status=status.HTTP_201_CREATED)


class CommentRepliesApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        parameters=_PAGE_PARAMETERS,
        responses=paginated("ReplyPage", ReplyOutput),
        summary="Replies under a comment, oldest first",
    )
    def get(self, request, comment_id: int):
        parent = access_comment(user=request.user, comment_id=comment_id)
        page = replies_page(
            parent=parent,
            viewer=request.user,
            **page_params(request, default=10, maximum=PAGE_SIZE_MAX),
        )
        return Response(
            page_body(request, page, ReplyOutput(page.replies, many=True, context={"request": request}).data)
        )


class CommentLikeOutput(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


class CommentLikeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=CommentLikeOutput, summary="Like a comment (idempotent)")
    def post(self, request, comment_id: int):
        toggle = comment_like(
            user=request.user, comment=access_comment(user=request.user, comment_id=comment_id)
        )
        return Response(CommentLikeOutput({"liked": toggle.active, "like_count": toggle.count}).data)

    @extend_schema(request=None, responses={204: None}, summary="Remove my like from a comment (idempotent)")
    def delete(self, request, comment_id: int):
        comment_unlike(user=request.user, comment=access_comment(user=request.user, comment_id=comment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={204: None},
        summary="Delete a comment with its replies (its author or the note's author; anyone else: 404)",
    )
    def delete(self, request, comment_id: int):
        comment_delete(user=request.user, comment=access_comment(user=request.user, comment_id=comment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
