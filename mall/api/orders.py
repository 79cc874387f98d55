"""Checkout and orders in the API: hold the cart's selected lines, place the order once per idempotency
key, list and read my orders, and the buyer's actions. Another shopper's order answers 404."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as accounts_selectors
from core.keyset import page_size_parse
from core.pagination import CURSOR, page_body, paginated
from mall.api.common import PAGE_SIZE
from mall.carriers import carrier_label
from mall.cart_session import cart_for_request
from mall.models import Order, ParcelEvent
from mall.selectors import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, orders
from mall.services import checkout as checkout_services
from mall.services import orders as order_services


class MallCheckoutInput(serializers.Serializer):
    token = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Renew the holds of an earlier reserve."
    )
    identity = serializers.IntegerField(
        required=False, allow_null=True, help_text="The purchaser, to check the annual quota before holding."
    )


class MallHeldLineOutput(serializers.Serializer):
    sku = serializers.IntegerField(source="sku.pk")
    sku_name = serializers.CharField(source="sku.name")
    product_name = serializers.CharField(source="sku.product.name")
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    subtotal = serializers.DecimalField(source="line_subtotal", max_digits=12, decimal_places=2)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    tax = serializers.DecimalField(source="tax_amount", max_digits=12, decimal_places=2)


class MallCheckoutOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Pass it when placing the order.")
    reserved_until = serializers.DateTimeField()
    lines = MallHeldLineOutput(many=True)
    problems = serializers.ListField(child=serializers.CharField(), help_text="Lines that could not be held.")
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    is_cross_border = serializers.BooleanField()


class CheckoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MallCheckoutInput,
        responses={201: MallCheckoutOutput},
        summary="Hold the cart's selected lines (customs limits are checked first; a refusal holds nothing)",
    )
    def post(self, request):
        data = MallCheckoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        identity_id = data.validated_data.get("identity")
        identity = (
            accounts_selectors.access_identity(user=request.user, identity_id=identity_id)
            if identity_id
            else None
        )
        summary = checkout_services.checkout_reserve(
            user=request.user,
            cart=cart_for_request(request),
            token=data.validated_data.get("token") or None,
            identity=identity,
        )
        return Response(MallCheckoutOutput(summary).data, status=status.HTTP_201_CREATED)


class MallOrderLineOutput(serializers.Serializer):
    sku_code = serializers.CharField()
    product_name = serializers.CharField()
    sku_name = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    tax = serializers.DecimalField(source="tax_amount", max_digits=12, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)


class MallOrderEventOutput(serializers.Serializer):
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    message = serializers.CharField(source="text", help_text="In the request's language.")
    created_at = serializers.DateTimeField()


class MallParcelEventOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=ParcelEvent.Code.choices)
    description = serializers.CharField(source="get_code_display")
    location = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class MallOrderSummaryOutput(serializers.Serializer):
    number = serializers.CharField()
    state = serializers.CharField(help_text="One of: " + ", ".join(Order.State.values))
    state_label = serializers.CharField(source="get_state_display")
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    payment_deadline = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    lines = MallOrderLineOutput(many=True)


class MallOrderOutput(MallOrderSummaryOutput):
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    is_cross_border = serializers.BooleanField()
    ship_to = serializers.DictField(child=serializers.CharField())
    purchaser_id_number = serializers.CharField(source="masked_id_number", help_text="Masked.")
    carrier = serializers.CharField(help_text="The carrier's code (empty until shipped).")
    carrier_name = serializers.SerializerMethodField(
        help_text="The carrier's name, in the request's language."
    )
    tracking_number = serializers.CharField()
    parcel_events = MallParcelEventOutput(many=True, help_text="What the carrier reported, newest first.")
    paid_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    events = MallOrderEventOutput(many=True)
    server_time = serializers.SerializerMethodField(help_text="For a countdown to payment_deadline.")

    def get_carrier_name(self, order) -> str:
        return carrier_label(order.carrier)

    def get_server_time(self, order) -> str:
        return timezone.now().isoformat()


class MallOrderPlaceInput(serializers.Serializer):
    token = serializers.CharField(max_length=40, help_text="From POST /api/mall/checkout/.")
    address = serializers.IntegerField()
    identity = serializers.IntegerField(required=False, allow_null=True, help_text="Needed for cross-border.")
    idempotency_key = serializers.CharField(
        max_length=64, help_text="The same key always answers the same order: retry safely."
    )


class MallOrderActionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=150, required=False, allow_blank=True)


class OrderListApi(APIView):
    permission_classes = [IsAuthenticated]

    class OrderFilterInput(serializers.Serializer):
        tab = serializers.ChoiceField(choices=list(orders.ORDER_TABS), required=False, allow_blank=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("tab", str, enum=list(orders.ORDER_TABS), description="Default 'all'."),
            CURSOR,
            PAGE_SIZE,
        ],
        responses=paginated("MallOrderPage", MallOrderSummaryOutput),
        operation_id="mall_orders_list",
        summary="My orders, newest first",
    )
    def get(self, request):
        filters = self.OrderFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = orders.order_list(
            user=request.user,
            tab=filters.validated_data.get("tab") or "all",
            cursor=request.query_params.get("cursor"),
            size=page_size_parse(
                request.query_params.get("page_size"), default=PAGE_SIZE_DEFAULT, maximum=PAGE_SIZE_MAX
            ),
        )
        return Response(page_body(request, page, MallOrderSummaryOutput(page.items, many=True).data))

    @extend_schema(
        request=MallOrderPlaceInput,
        responses={201: MallOrderOutput, 200: MallOrderOutput},
        operation_id="mall_order_place",
        summary="Place the order for the held lines (201; 200 when the key was already used)",
    )
    def post(self, request):
        data = MallOrderPlaceInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        address = accounts_selectors.access_address(user=request.user, address_id=values["address"])
        identity = (
            accounts_selectors.access_identity(user=request.user, identity_id=values["identity"])
            if values.get("identity")
            else None
        )
        placed = checkout_services.order_place(
            user=request.user,
            cart=cart_for_request(request),
            token=values["token"],
            address=address,
            identity=identity,
            idempotency_key=values["idempotency_key"],
        )
        data = orders.order_page(user=request.user, number=placed.order.number)
        return Response(
            MallOrderOutput(data.order).data,
            status=status.HTTP_200_OK if placed.replayed else status.HTTP_201_CREATED,
        )


class OrderDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=MallOrderOutput,
        operation_id="mall_order_retrieve",
        summary="One of my orders with its timeline",
    )
    def get(self, request, number: str):
        data = orders.order_page(user=request.user, number=number)
        return Response(MallOrderOutput(data.order).data)


ORDER_ACTIONS = {
    "cancel": lambda order, user, reason: order_services.order_cancel(order=order, actor=user, reason=reason),
    "confirm-delivery": lambda order, user, reason: order_services.order_confirm_delivery(
        order=order, actor=user
    ),
    "return": lambda order, user, reason: order_services.order_request_return(
        order=order, reason=reason, actor=user
    ),
}


class OrderActionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(ORDER_ACTIONS))],
        request=MallOrderActionInput,
        responses=MallOrderOutput,
        operation_id="mall_order_action",
        summary="Cancel while unpaid, confirm delivery once shipped, or request a return (with a reason)",
    )
    def post(self, request, number: str, action: str):
        order = orders.access_order(user=request.user, number=number)
        data = MallOrderActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        ORDER_ACTIONS[action](order, request.user, data.validated_data.get("reason", ""))
        page = orders.order_page(user=request.user, number=order.number)
        return Response(MallOrderOutput(page.order).data)
