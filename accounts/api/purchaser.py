"""Addresses and customs identities (always masked) in the API. Another person's answers 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.common import service_validation_error
from accounts.models import Address, CustomsIdentity


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
            raise service_validation_error(exc) from None
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
            raise service_validation_error(exc) from None
        if make_default:
            address = services.address_set_default(address=address)
        return Response(AddressSerializer(address).data)

    @extend_schema(responses={204: None}, summary="Delete an address")
    def delete(self, request, address_id: int):
        services.address_delete(address=selectors.access_address(user=request.user, address_id=address_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class IdentityListApi(APIView):
    api_error_statuses = {"POST": (429,)}  # identity_add: too many identity checks today
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
            raise service_validation_error(exc) from None
        return Response(IdentityOutput(identity).data, status=status.HTTP_201_CREATED)


class IdentityDisputeInput(serializers.Serializer):
    real_name = serializers.CharField(max_length=40)
    id_number = serializers.CharField(max_length=18, min_length=18)
    message = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class IdentityDisputeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    id_number = serializers.CharField(source="masked_number")
    state = serializers.CharField()
    created_at = serializers.DateTimeField()


class IdentityDisputeApi(APIView):
    """Adding an identity answered 409 ``identity_claimed`` (the number is verified on another account):
    this records the claim for operators, who decide it."""

    api_error_statuses = (429,)  # identity_dispute_open: too many identity checks today
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=IdentityDisputeInput,
        responses={201: IdentityDisputeOutput},
        summary="Say that an ID number verified on another account is mine",
    )
    def post(self, request):
        data = IdentityDisputeInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            dispute = services.identity_dispute_open(user=request.user, **data.validated_data)
        except ValidationError as exc:
            raise service_validation_error(exc) from None
        return Response(IdentityDisputeOutput(dispute).data, status=status.HTTP_201_CREATED)


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
