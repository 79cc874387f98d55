"""The cart in the API: read it with stock and tax, add a SKU, change or remove a line. Another shopper's
line answers 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.common import absolute_url
from mall.cart_session import cart_for_request
from mall.selectors.cart import cart_page
from mall.services import cart as cart_services


class MallCartLineOutput(serializers.Serializer):
    id = serializers.IntegerField(source="line.pk")
    sku = serializers.IntegerField(source="line.sku_id")
    sku_code = serializers.CharField(source="line.sku.code")
    sku_name = serializers.CharField(source="line.sku.name")
    product = serializers.CharField(source="line.sku.product.slug")
    product_name = serializers.CharField(source="line.sku.product.name")
    quantity = serializers.IntegerField(source="line.quantity")
    selected = serializers.BooleanField(source="line.selected")
    unit_price = serializers.DecimalField(source="priced.unit_price", max_digits=12, decimal_places=2)
    tax = serializers.DecimalField(source="priced.tax_amount", max_digits=12, decimal_places=2)
    available = serializers.IntegerField()
    stock_state = serializers.ChoiceField(source="state", choices=["in_stock", "low", "sold_out"])
    cover = serializers.SerializerMethodField()

    def get_cover(self, row) -> str | None:
        return absolute_url(self.context["request"], row.cover_url)


class MallCartOutput(serializers.Serializer):
    lines = MallCartLineOutput(source="rows", many=True)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Selected lines.")
    tax_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    count = serializers.IntegerField(help_text="Units in the selected lines.")


class MallCartLineInput(serializers.Serializer):
    sku = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=cart_services.MAX_QUANTITY, default=1)
    referral = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Attribution such as 'note:42'."
    )


class MallCartLinePatchInput(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=cart_services.MAX_QUANTITY, required=False)
    selected = serializers.BooleanField(required=False)


def _cart_response(request, code=status.HTTP_200_OK) -> Response:
    data = cart_page(cart=cart_for_request(request))
    return Response(MallCartOutput(data, context={"request": request}).data, status=code)


class CartApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MallCartOutput, summary="My cart with stock, tax and the selected lines' totals")
    def get(self, request):
        return _cart_response(request)

    @extend_schema(
        request=MallCartLineInput,
        responses={201: MallCartOutput},
        summary="Add a SKU (quantities add up, at most 99)",
    )
    def post(self, request):
        data = MallCartLineInput(data=request.data)
        data.is_valid(raise_exception=True)
        cart_services.cart_add(
            cart=cart_for_request(request),
            sku_id=data.validated_data["sku"],
            quantity=data.validated_data["quantity"],
            referral=data.validated_data.get("referral", ""),
        )
        return _cart_response(request, status.HTTP_201_CREATED)


class CartLineApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MallCartLinePatchInput,
        responses=MallCartOutput,
        summary="Change a line's quantity or selection",
    )
    def patch(self, request, line_id: int):
        data = MallCartLinePatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        cart_services.cart_line_update(cart=cart_for_request(request), line_id=line_id, **data.validated_data)
        return _cart_response(request)

    @extend_schema(responses={204: None}, summary="Remove a line (GET the cart for its new totals)")
    def delete(self, request, line_id: int):
        cart_services.cart_line_remove(cart=cart_for_request(request), line_id=line_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
