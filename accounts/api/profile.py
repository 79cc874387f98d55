"""The signed-in person's profile and avatar."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.common import service_validation_error
from accounts.models import User


class UserOutput(serializers.ModelSerializer):
    avatar = serializers.ImageField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "nickname", "avatar", "bio", "phone", "likes_private", "collects_private"]


class ProfileInput(serializers.Serializer):
    nickname = serializers.CharField(max_length=24, required=False)
    bio = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=11, required=False, allow_blank=True)
    likes_private = serializers.BooleanField(required=False)
    collects_private = serializers.BooleanField(required=False)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserOutput, summary="The signed-in user's profile")
    def get(self, request):
        return Response(UserOutput(request.user, context={"request": request}).data)

    @extend_schema(request=ProfileInput, responses=UserOutput, summary="Edit the profile")
    def patch(self, request):
        data = ProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            user = services.user_profile_update(user=request.user, **data.validated_data)
        except ValidationError as exc:
            request.user.refresh_from_db()
            raise service_validation_error(exc) from None
        return Response(UserOutput(user, context={"request": request}).data)


class AvatarApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer("AvatarUpload", {"avatar": serializers.ImageField()})
        },
        responses=UserOutput,
        summary="Upload an avatar (re-encoded, metadata stripped)",
    )
    def put(self, request):
        upload = request.FILES.get("avatar")
        if upload is None:
            raise serializers.ValidationError({"avatar": [_("Attach an image file as 'avatar'.")]})
        try:
            user = services.user_avatar_set(user=request.user, upload=upload)
        except ValidationError as exc:
            raise serializers.ValidationError({"avatar": exc.messages}) from None
        return Response(UserOutput(user, context={"request": request}).data)
