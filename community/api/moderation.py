"""Moderation API: report a note or a comment (idempotent while the report is open)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from community.models import Report
from community.selectors.access import access_comment, access_note_for_view
from community.services.moderation import DETAIL_MAX, report_create


class ReportCreateInput(serializers.Serializer):
    note = serializers.IntegerField(required=False, min_value=1, help_text="The id of the note reported")
    comment = serializers.IntegerField(required=False, min_value=1, help_text="Or the id of the comment")
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    detail = serializers.CharField(required=False, allow_blank=True, max_length=DETAIL_MAX, default="")

    def validate(self, attrs):
        if ("note" in attrs) == ("comment" in attrs):
            raise serializers.ValidationError(_("Give either a note or a comment."))
        return attrs


class ReportOutput(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "note", "comment", "reason", "detail", "state", "created_at"]


class ReportCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReportCreateInput,
        responses={201: ReportOutput, 200: ReportOutput},
        summary="Report a note or a comment",
        description="Reporting the same thing again while your report is open answers 200 with that report.",
    )
    def post(self, request):
        data = ReportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "note" in fields:
            fields["note"] = access_note_for_view(user=request.user, note_id=fields["note"])
        else:
            fields["comment"] = access_comment(user=request.user, comment_id=fields["comment"])
        result = report_create(reporter=request.user, **fields)
        return Response(
            ReportOutput(result.report).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
