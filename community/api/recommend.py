"""Issue 6 (recommendations, demand): API.

- ``GET /api/recommendations/products/``: "recommended for you" for the caller (anonymous: the global
  buzz ranking), each product with why it is recommended.
- ``GET /api/operators/demand/?period=7|30``: staff only, the figures of the admin demand view.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from community.selectors.demand import PERIODS, demand_overview, period_parse
from community.selectors.recommend import LIMIT, LIMIT_MAX, recommended_products

# --- recommendations -----------------------------------------------------------------------------------


class RecommendationQuery(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=LIMIT_MAX, default=LIMIT)


class RecommendedProductOutput(serializers.Serializer):
    id = serializers.IntegerField(source="product.pk")
    slug = serializers.CharField(source="product.slug")
    name = serializers.CharField(source="product.name")
    brand = serializers.CharField(source="product.brand.name")
    min_price = serializers.DecimalField(source="product.min_price", max_digits=10, decimal_places=2)
    is_cross_border = serializers.BooleanField(source="product.is_cross_border")
    available = serializers.IntegerField(source="product.available")
    stock_state = serializers.CharField(source="product.stock_state", help_text="in_stock, low or sold_out.")
    cover = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    # Plain strings, not enums: "reason" and "stock_state" name other choice sets in the schema.
    reason = serializers.CharField(
        help_text="followed: people you follow wrote about it; topic: popular in a topic you engage "
        "with; popular: the community's overall buzz.",
    )
    why = serializers.CharField(help_text="The reason in words, in the request's language.")
    followed_writers = serializers.IntegerField()
    topic = serializers.CharField(allow_blank=True)

    def get_cover(self, rec) -> str | None:
        url = rec.product.cover_url
        return self.context["request"].build_absolute_uri(url) if url else None

    def get_url(self, rec) -> str:
        return self.context["request"].build_absolute_uri(reverse("mall:product", args=[rec.product.slug]))


class RecommendationsOutput(serializers.Serializer):
    results = RecommendedProductOutput(many=True)


class RecommendedProductsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX},
                description=f"How many products (1-{LIMIT_MAX}, default {LIMIT}).",
            )
        ],
        responses=RecommendationsOutput,
        summary="Products recommended from what the caller's community talks about",
        tags=["recommendations"],
    )
    def get(self, request):
        query = RecommendationQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        recs = recommended_products(user=request.user, limit=query.validated_data["limit"])
        context = {"request": request}
        return Response({"results": RecommendedProductOutput(recs, many=True, context=context).data})


# --- operators' demand -------------------------------------------------------------------------------


class ProductDemandOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    is_active = serializers.BooleanField()
    brand_id = serializers.IntegerField()
    brand_name = serializers.CharField()
    sku_code = serializers.CharField(allow_blank=True, help_text="The first active SKU (for a flash sale).")
    score = serializers.FloatField(help_text="Buzz score, recomputed hourly.")
    mentions = serializers.IntegerField()
    engagement = serializers.IntegerField()
    card_clicks = serializers.IntegerField(help_text="In the period.")
    units_sold = serializers.IntegerField(help_text="In the period, paid and not cancelled or refunded.")
    available = serializers.IntegerField(help_text="On hand minus allocated, over all warehouses.")
    hint = serializers.CharField(allow_blank=True, help_text="restock, flash_sale or empty.")


class BrandDemandOutput(serializers.Serializer):
    brand_id = serializers.IntegerField()
    name = serializers.CharField()
    products = serializers.IntegerField(help_text="Products of the brand the community talks about.")
    score = serializers.FloatField()
    mentions = serializers.IntegerField()
    engagement = serializers.IntegerField()
    card_clicks = serializers.IntegerField()
    units_sold = serializers.IntegerField()
    available = serializers.IntegerField()
    hint = serializers.CharField(allow_blank=True, help_text="restock, flash_sale or empty.")


class SampleNoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = serializers.CharField()
    asks = serializers.IntegerField(help_text="Comments asking where to buy.")


class UnsoldTopicOutput(serializers.Serializer):
    topic_id = serializers.IntegerField()
    name = serializers.CharField()
    asks = serializers.IntegerField(help_text="Comments asking where to buy, in the period.")
    notes = serializers.IntegerField()
    engagement = serializers.IntegerField()
    samples = SampleNoteOutput(many=True)


class DemandOutput(serializers.Serializer):
    period = serializers.IntegerField()
    since = serializers.DateTimeField()
    products = ProductDemandOutput(many=True)
    brands = BrandDemandOutput(many=True)
    unsold_topics = UnsoldTopicOutput(
        many=True, help_text="What readers ask for that the mall does not sell."
    )


class OperatorDemandApi(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", int, enum=list(PERIODS), description="Days (7 or 30, default 30).")
        ],
        responses=DemandOutput,
        summary="Operators: products and brands by community buzz against sales and stock",
        tags=["operators"],
    )
    def get(self, request):
        demand = demand_overview(period=period_parse(request.query_params.get("period")))
        return Response(DemandOutput(demand).data)
