"""Creator statistics API: the same figures as the statistics page, for the signed-in writer only."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from community.selectors.creator_stats import (
    DEFAULT_WINDOW_DAYS,
    WINDOW_DAYS,
    WINDOW_INVALID_MESSAGE,
    creator_stats,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class StatsFiguresOutput(serializers.Serializer):
    views = serializers.IntegerField(help_text="Counted views (one per viewer per half hour).")
    likes = serializers.IntegerField()
    collects = serializers.IntegerField()
    comments = serializers.IntegerField(help_text="Comments and replies by others; your own are left out.")
    followers = serializers.IntegerField(
        allow_null=True, help_text="New followers; null for one note's figures (people follow writers)."
    )
    card_clicks = serializers.IntegerField(help_text="Taps on the product cards in your notes.")
    orders = serializers.IntegerField(
        help_text="Paid orders with a line bought from your notes (not cancelled, refunded or returned)."
    )
    revenue = serializers.DecimalField(**MONEY, help_text="CNY: the sum of those order lines.")


class StatsDayOutput(StatsFiguresOutput):
    day = serializers.DateField(help_text="A day in the site's time zone (Asia/Shanghai).")


class StatsNoteOutput(serializers.Serializer):
    id = serializers.IntegerField(source="note.pk")
    title = serializers.CharField(source="note.title")
    views = serializers.IntegerField()
    likes = serializers.IntegerField()
    collects = serializers.IntegerField()
    comments = serializers.IntegerField()
    card_clicks = serializers.IntegerField()
    orders = serializers.IntegerField()
    revenue = serializers.DecimalField(**MONEY)


class StatsNoteRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class CreatorStatsOutput(serializers.Serializer):
    note = StatsNoteRefOutput(
        allow_null=True, help_text="The one note the figures are for, if you asked for one."
    )
    days = serializers.IntegerField(source="window.days")
    first_day = serializers.DateField(source="window.first_day")
    last_day = serializers.DateField(source="window.last_day", help_text="Today.")
    has_notes = serializers.BooleanField()
    totals = StatsFiguresOutput()
    daily = StatsDayOutput(many=True, help_text="Every day of the window, oldest first, zeros included.")
    notes = StatsNoteOutput(many=True, help_text="Your notes with the most views in the window (at most 10).")


class CreatorStatsApi(APIView):
    permission_classes = [IsAuthenticated]
    api_error_statuses = (404,)  # ?note= names a note that is not the caller's

    class CreatorStatsInput(serializers.Serializer):
        days = serializers.ChoiceField(
            choices=WINDOW_DAYS,
            default=DEFAULT_WINDOW_DAYS,
            error_messages={"invalid_choice": WINDOW_INVALID_MESSAGE},
        )
        note = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "days", int, enum=list(WINDOW_DAYS), description="The last 7 (default) or 30 days"
            ),
            OpenApiParameter(
                "note",
                {"type": "integer", "minimum": 1},
                description="One of my notes: its figures alone, day by day (else all notes)",
            ),
        ],
        responses=CreatorStatsOutput,
        summary="My creator statistics: totals, day by day, and my top notes",
    )
    def get(self, request):
        params = self.CreatorStatsInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        stats = creator_stats(
            user=request.user, days=params.validated_data["days"], note_id=params.validated_data.get("note")
        )
        return Response(CreatorStatsOutput(stats).data)
