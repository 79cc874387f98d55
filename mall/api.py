"""The mall's API: catalog, cart, checkout and orders. InputSerializer -> selector or service ->
OutputSerializer; domain errors become 4xx JSON through core.api.exception_handler. Lists are keyset
pages: pass the previous page's ``next_cursor`` as ``?cursor=`` (or follow ``next``). Another shopper's
cart line or order answers 404, exactly like one that does not exist."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as accounts_selectors
from mall.cart_session import cart_for_request
from mall.models import Order
from mall.selectors import catalog, orders
from mall.selectors.cart import cart_page
from mall.selectors.paging import page_size_parse
from mall.services import cart as cart_services
from mall.services import checkout as checkout_services
from mall.services import orders as order_services


def _absolute(request, url: str) -> str | None:
    return request.build_absolute_uri(url) if url else None


def _page(request, page, results) -> dict:
    next_url = None
    if page.next_cursor:
        query = request.query_params.copy()
        query["cursor"] = page.next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"next": next_url, "next_cursor": page.next_cursor, "results": results}


def _paginated(name: str, item) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null at the end."),
            "next_cursor": serializers.CharField(allow_null=True, help_text="Opaque; pass as ?cursor="),
            "results": item(many=True),
        },
    )


CURSOR = OpenApiParameter("cursor", str, description="Opaque: the previous page's next_cursor.")
PAGE_SIZE = OpenApiParameter("page_size", int, description="Items per page (1-60, default 20).")


# --- catalog ------------------------------------------------------------------------------------------------


class MallBrandOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField(help_text="Country of origin.")
    authorization = serializers.CharField(help_text="'official' brand store or authorized 'distributor'.")
    authorization_label = serializers.CharField(source="get_authorization_display")
    authorization_ref = serializers.CharField(help_text="The authorization document's reference.")
    authorized_until = serializers.DateField(allow_null=True)


class MallCategoryOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    icon = serializers.CharField(help_text="An emoji.")
    parent = serializers.SerializerMethodField(help_text="The parent category's slug, or null at the top.")

    def get_parent(self, category) -> str | None:
        parent = self.context["tree"].by_id.get(category.parent_id) if category.parent_id else None
        return parent.slug if parent else None


class MallProductCardOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    brand = serializers.CharField(source="brand.name")
    brand_slug = serializers.CharField(source="brand.slug")
    origin = serializers.CharField(source="brand.country")
    min_price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="CNY, the cheapest SKU.")
    is_cross_border = serializers.BooleanField(help_text="Ships from a bonded warehouse.")
    sales_count = serializers.IntegerField()
    stock_state = serializers.ChoiceField(choices=["in_stock", "low", "sold_out"])
    cover = serializers.SerializerMethodField()

    def get_cover(self, product) -> str | None:
        return _absolute(self.context["request"], product.cover_url)


class MallSkuOutput(serializers.Serializer):
    id = serializers.IntegerField(source="sku.pk")
    code = serializers.CharField(source="sku.code")
    name = serializers.CharField(source="sku.name")
    price = serializers.DecimalField(source="sku.price", max_digits=12, decimal_places=2)
    tax_estimate = serializers.DecimalField(
        source="tax", max_digits=12, decimal_places=2, help_text="Cross-border tax on one unit."
    )
    available = serializers.IntegerField(help_text="Units that can be bought now.")
    stock_state = serializers.ChoiceField(source="state", choices=["in_stock", "low", "sold_out"])


class MallImageOutput(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, image) -> str:
        return self.context["request"].build_absolute_uri(image.image.url)


class MallProductOutput(serializers.Serializer):
    slug = serializers.CharField(source="product.slug")
    name = serializers.CharField(source="product.name")
    description = serializers.CharField(source="product.description")
    brand = MallBrandOutput(source="product.brand")
    category_path = serializers.SerializerMethodField(help_text="Category slugs from the top down.")
    is_cross_border = serializers.BooleanField(source="product.is_cross_border")
    tax_rate = serializers.SerializerMethodField(help_text="Cross-border tax rate (0 for domestic goods).")
    images = MallImageOutput(many=True)
    skus = MallSkuOutput(source="options", many=True)

    def get_category_path(self, data) -> list[str]:
        return [c.slug for c in data.path]

    def get_tax_rate(self, data) -> str:
        product = data.product
        return str(product.tax_category.cross_border_rate if product.is_cross_border else 0)


class ProductListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, description="A category slug (its subcategories included)."),
            OpenApiParameter("brand", str, many=True, description="Brand slugs (any of them)."),
            OpenApiParameter("origin", str, many=True, description="Countries of origin (any of them)."),
            OpenApiParameter("price_min", str, description="Lowest price, CNY."),
            OpenApiParameter("price_max", str, description="Highest price, CNY."),
            OpenApiParameter("q", str, description="Words in the product or brand name."),
            OpenApiParameter("sort", str, enum=list(catalog.SORTS), description="Default 'new'."),
            CURSOR,
            PAGE_SIZE,
        ],
        responses=_paginated("MallProductPage", MallProductCardOutput),
        operation_id="mall_products_list",
        summary="Products on sale, filtered and sorted, a keyset page at a time",
    )
    def get(self, request):
        query = catalog.ListingQuery.from_params(request.query_params)
        listing = catalog.product_list(
            query=query,
            cursor=request.query_params.get("cursor"),
            size=page_size_parse(request.query_params.get("page_size")),
            facets=False,
        )
        results = MallProductCardOutput(listing.products, many=True, context={"request": request}).data
        return Response(_page(request, listing.page, results))


class ProductDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=MallProductOutput,
        operation_id="mall_product_retrieve",
        summary="One product with its SKUs, stock and provenance",
    )
    def get(self, request, slug: str):
        data = catalog.product_page(slug=slug)
        return Response(MallProductOutput(data, context={"request": request}).data)


class CategoryListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=MallCategoryOutput(many=True), summary="Every category, parents first")
    def get(self, request):
        tree = catalog.category_tree()
        ordered, stack = [], list(reversed(tree.roots))
        while stack:
            node = stack.pop()
            ordered.append(node)
            stack.extend(reversed(tree.children.get(node.pk, [])))
        return Response(MallCategoryOutput(ordered, many=True, context={"tree": tree}).data)


class BrandListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=MallBrandOutput(many=True), summary="Every brand with its provenance")
    def get(self, request):
        return Response(MallBrandOutput(catalog.brand_list(), many=True).data)


# --- cart ---------------------------------------------------------------------------------------------------


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
        return _absolute(self.context["request"], row.cover_url)


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

    @extend_schema(responses=MallCartOutput, summary="Remove a line")
    def delete(self, request, line_id: int):
        cart_services.cart_line_remove(cart=cart_for_request(request), line_id=line_id)
        return _cart_response(request)


# --- checkout and orders -------------------------------------------------------------------------------------


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
    message = serializers.CharField()
    created_at = serializers.DateTimeField()


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
    tracking_number = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    events = MallOrderEventOutput(many=True)
    server_time = serializers.SerializerMethodField(help_text="For a countdown to payment_deadline.")

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

    @extend_schema(
        parameters=[
            OpenApiParameter("tab", str, enum=list(orders.ORDER_TABS), description="Default 'all'."),
            CURSOR,
            PAGE_SIZE,
        ],
        responses=_paginated("MallOrderPage", MallOrderSummaryOutput),
        operation_id="mall_orders_list",
        summary="My orders, newest first",
    )
    def get(self, request):
        page = orders.order_list(
            user=request.user,
            tab=request.query_params.get("tab") or "all",
            cursor=request.query_params.get("cursor"),
            size=page_size_parse(request.query_params.get("page_size")),
        )
        return Response(_page(request, page, MallOrderSummaryOutput(page.items, many=True).data))

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
        replay = Order.objects.filter(user=request.user, idempotency_key=values["idempotency_key"]).exists()
        address = accounts_selectors.access_address(user=request.user, address_id=values["address"])
        identity = (
            accounts_selectors.access_identity(user=request.user, identity_id=values["identity"])
            if values.get("identity")
            else None
        )
        order = checkout_services.order_place(
            user=request.user,
            cart=cart_for_request(request),
            token=values["token"],
            address=address,
            identity=identity,
            idempotency_key=values["idempotency_key"],
        )
        data = orders.order_page(user=request.user, number=order.number)
        return Response(
            MallOrderOutput(data.order).data, status=status.HTTP_200_OK if replay else status.HTTP_201_CREATED
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
