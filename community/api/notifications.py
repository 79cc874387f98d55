"""Notifications API: an inbox page (cursor), the unread counts per inbox, marking read."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from community.models import Comment, Notification
from community.selectors.notifications import notification_list_qs, notification_unread_counts
from community.services.notifications import notifications_mark_read
from core.pagination import CURSOR, KeysetPagination, page_size_parameter, paginated


class NotificationPagination(KeysetPagination):
    page_size = 20
    max_page_size = 50


class ActorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    nickname = serializers.CharField(source="display_name")
    avatar = serializers.ImageField(allow_null=True)


class NoteRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    cover = serializers.SerializerMethodField()

    def get_cover(self, note) -> str | None:
        cover = note.cover
        if cover is None or not cover.feed:
            return None
        request = self.context.get("request")
        url = cover.feed.url
        return request.build_absolute_uri(url) if request else url


class CommentRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()

    def get_body(self, comment) -> str | None:
        return None if comment.status == Comment.Status.HIDDEN else comment.body

    def get_hidden(self, comment) -> bool:
        return comment.status == Comment.Status.HIDDEN


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Notification.Kind.choices)
    text = serializers.CharField(source="message", help_text="In the language of the request")
    link = serializers.CharField(allow_null=True, help_text="Where a notice leads (an order, a sale, a note)")
    inbox = serializers.ChoiceField(choices=Notification.Inbox.choices)
    actor = ActorOutput(allow_null=True)
    note = NoteRefOutput(allow_null=True)
    comment = CommentRefOutput(allow_null=True)
    read = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class UnreadOutput(serializers.Serializer):
    likes = serializers.IntegerField()
    follows = serializers.IntegerField()
    comments = serializers.IntegerField()
    notices = serializers.IntegerField()
    total = serializers.IntegerField()


class NotificationListApi(APIView):
    permission_classes = [IsAuthenticated]

    class NotificationFilterInput(serializers.Serializer):
        inbox = serializers.ChoiceField(choices=Notification.Inbox.choices, required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "inbox", enum=Notification.Inbox.values, description="One inbox; all if left out"
            ),
            CURSOR,
            page_size_parameter(
                default=NotificationPagination.page_size, maximum=NotificationPagination.max_page_size
            ),
        ],
        responses=paginated("NotificationPage", NotificationOutput),
        operation_id="notifications_list",
        summary="My notifications, newest first (reading them does not mark them read)",
    )
    def get(self, request):
        filters = self.NotificationFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = notification_list_qs(user=request.user, inbox=filters.validated_data.get("inbox"))
        paginator = NotificationPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = NotificationOutput(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class NotificationUnreadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UnreadOutput, summary="How many unread notifications each inbox has")
    def get(self, request):
        return Response(UnreadOutput(notification_unread_counts(user=request.user)).data)


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]

    class NotificationReadInput(serializers.Serializer):
        inbox = serializers.ChoiceField(choices=Notification.Inbox.choices, required=False)
        up_to = serializers.IntegerField(
            required=False, min_value=1, help_text="The newest notification id you showed; newer stay unread"
        )

    @extend_schema(
        request=NotificationReadInput,
        responses=inline_serializer(
            "NotificationsRead", {"marked": serializers.IntegerField(), "unread": UnreadOutput()}
        ),
        summary="Mark an inbox (or all of them) read; idempotent",
    )
    def post(self, request):
        data = self.NotificationReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        marked = notifications_mark_read(user=request.user, **data.validated_data)
        unread = notification_unread_counts(user=request.user)
        return Response({"marked": marked, "unread": UnreadOutput(unread).data})
