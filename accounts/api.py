"""Accounts API: token sign-in, the profile, addresses and customs identities (masked)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.lockout import lockout_response
from accounts.models import Address, CustomsIdentity, User


class UserOutput(serializers.ModelSerializer):
    avatar = serializers.ImageField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "nickname", "avatar", "bio", "phone", "likes_private", "collects_private"]


class ProfileInput(serializers.Serializer):
    nickname = serializers.CharField(max_length=24, required=False)
    bio = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=11, required=False, allow_blank=True)
    likes_private = serializers.BooleanField(required=False)
    collects_private = serializers.BooleanField(required=False)


class AddressSerializer(serializers.ModelSerializer):
    make_default = serializers.BooleanField(write_only=True, required=False, default=False)

    class Meta:
        model = Address
        fields = [
            "id",
            "recipient",
            "phone",
            "province",
            "city",
            "district",
            "detail",
            "postal_code",
            "is_default",
            "make_default",
        ]
        read_only_fields = ["id", "is_default"]


class IdentityOutput(serializers.ModelSerializer):
    real_name = serializers.CharField(source="masked_name")
    id_number = serializers.CharField(source="masked_number")

    class Meta:
        model = CustomsIdentity
        fields = ["id", "real_name", "id_number", "is_default", "verified_at"]


class IdentityInput(serializers.Serializer):
    real_name = serializers.CharField(max_length=40)
    id_number = serializers.CharField(max_length=18, min_length=18)
    make_default = serializers.BooleanField(required=False, default=False)


def _validation_error(exc: ValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(
            {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return serializers.ValidationError({"detail": exc.messages})


class TokenObtainApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(style={"input_type": "password"})

    @extend_schema(
        request=InputSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
        summary="Exchange a username and password for an API token",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # django-axes watches the Django request: pass it, not DRF's wrapper.
        django_request = request._request
        user = authenticate(django_request, **data.validated_data)
        if getattr(django_request, "axes_locked_out", False):
            return lockout_response(django_request)
        if user is None:
            return Response(
                {"detail": _("Wrong username or password."), "code": "invalid_credentials"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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
            raise _validation_error(exc) from None
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


class AddressListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AddressSerializer(many=True), summary="My addresses, default first")
    def get(self, request):
        return Response(AddressSerializer(selectors.address_list(user=request.user), many=True).data)

    @extend_schema(request=AddressSerializer, responses={201: AddressSerializer}, summary="Add an address")
    def post(self, request):
        data = AddressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        make_default = fields.pop("make_default", False)
        try:
            address = services.address_create(user=request.user, data=fields, make_default=make_default)
        except ValidationError as exc:
            raise _validation_error(exc) from None
        return Response(AddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AddressSerializer, summary="One of my addresses")
    def get(self, request, address_id: int):
        return Response(
            AddressSerializer(selectors.access_address(user=request.user, address_id=address_id)).data
        )

    @extend_schema(request=AddressSerializer, responses=AddressSerializer, summary="Edit an address")
    def patch(self, request, address_id: int):
        address = selectors.access_address(user=request.user, address_id=address_id)
        data = AddressSerializer(address, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        make_default = fields.pop("make_default", False)
        try:
            address = services.address_update(address=address, data=fields)
        except ValidationError as exc:
            raise _validation_error(exc) from None
        if make_default:
            address = services.address_set_default(address=address)
        return Response(AddressSerializer(address).data)

    @extend_schema(responses={204: None}, summary="Delete an address")
    def delete(self, request, address_id: int):
        services.address_delete(address=selectors.access_address(user=request.user, address_id=address_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class IdentityListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=IdentityOutput(many=True), summary="My customs identities, masked")
    def get(self, request):
        return Response(IdentityOutput(selectors.identity_list(user=request.user), many=True).data)

    @extend_schema(request=IdentityInput, responses={201: IdentityOutput}, summary="Add a customs identity")
    def post(self, request):
        data = IdentityInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            identity = services.identity_add(user=request.user, **data.validated_data)
        except ValidationError as exc:
            raise _validation_error(exc) from None
        return Response(IdentityOutput(identity).data, status=status.HTTP_201_CREATED)


class IdentityDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=IdentityOutput, summary="One of my customs identities, masked")
    def get(self, request, identity_id: int):
        return Response(
            IdentityOutput(selectors.access_identity(user=request.user, identity_id=identity_id)).data
        )

    @extend_schema(
        request=None,
        responses=IdentityOutput,
        summary="Make this identity the default",
        operation_id="identities_set_default",
    )
    def post(self, request, identity_id: int):
        identity = selectors.access_identity(user=request.user, identity_id=identity_id)
        return Response(IdentityOutput(services.identity_set_default(identity=identity)).data)

    @extend_schema(responses={204: None}, summary="Remove a customs identity")
    def delete(self, request, identity_id: int):
        services.identity_delete(
            identity=selectors.access_identity(user=request.user, identity_id=identity_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
