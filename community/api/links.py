"""Purchase links API: the product cards of a note (serializers shared with the note output), adding a
card's product to the cart with the note's referral, and the catalog search behind the writer's picker."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from community.selectors.access import access_note_product
from community.selectors.links import ProductCard, catalog_search
from community.services.links import card_cart_add
from core.api import AnonymousThrottle
from core.visitor import visitor
from mall.cart_session import cart_for_request
from mall.selectors.cart import cart_count


def _absolute(request, url: str | None) -> str | None:
    if not url:
        return None
    return request.build_absolute_uri(url) if request else url


class BrandRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VariantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)


class FlashOfferOutput(serializers.Serializer):
    """A live special price (a flash sale): bought on the sale's page, until ``ends_at``."""

    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    url = serializers.CharField(help_text="The sale's page.")
    ends_at = serializers.DateTimeField()
    label = serializers.CharField()


class CardProductOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    brand = BrandRefOutput()


class ProductCardOutput(serializers.Serializer):
    """A product tagged in a note, as readers see it."""

    product = CardProductOutput()
    sku = VariantOutput(allow_null=True, help_text="The variant the writer tagged; null: the product.")
    image = serializers.SerializerMethodField()
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="The tagged variant's price, else the lowest one."
    )
    stock_state = serializers.ChoiceField(choices=["in_stock", "low", "sold_out"])
    on_sale = serializers.BooleanField()
    bought_here = serializers.BooleanField(help_text="The writer received this product in a delivered order.")
    flash = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    cart = serializers.SerializerMethodField()

    def get_image(self, card: ProductCard) -> str | None:
        return _absolute(self.context.get("request"), card.cover_url)

    @extend_schema_field(FlashOfferOutput(allow_null=True))
    def get_flash(self, card: ProductCard):
        if card.offer is None:
            return None
        offer = card.offer
        data = {"price": offer.price, "url": offer.url, "ends_at": offer.ends_at, "label": offer.label}
        data["url"] = _absolute(self.context.get("request"), offer.url)
        return FlashOfferOutput(data).data

    def get_url(self, card: ProductCard) -> str:
        """The product page, with the note's referral."""
        return _absolute(self.context.get("request"), card.product_url)

    def get_cart(self, card: ProductCard) -> str:
        """POST here to put it in the cart with the note's referral."""
        url = reverse("api-note-product-cart", args=[card.note_id, card.product_id])
        return _absolute(self.context.get("request"), url)


class CatalogProductOutput(serializers.Serializer):
    id = serializers.IntegerField(source="product.pk")
    name = serializers.CharField(source="product.name")
    brand = BrandRefOutput(source="product.brand")
    min_price = serializers.DecimalField(source="product.min_price", max_digits=12, decimal_places=2)
    image = serializers.SerializerMethodField()
    variants = VariantOutput(many=True)

    def get_image(self, item) -> str | None:
        return _absolute(self.context.get("request"), item.cover_url)


class CatalogSearchApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Words of the product's or brand's name.")],
        responses=CatalogProductOutput(many=True),
        summary="Products on sale to tag in a note (name or brand contains every word, best sellers first)",
    )
    def get(self, request):
        results = catalog_search(query=request.query_params.get("q", ""))
        return Response(CatalogProductOutput(results, many=True, context={"request": request}).data)


class CartLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.IntegerField(source="sku_id")
    quantity = serializers.IntegerField()
    referral = serializers.CharField()


class CardCartOutput(serializers.Serializer):
    line = CartLineOutput()
    cart_count = serializers.IntegerField(help_text="Units in the cart now.")


class NoteProductCartApi(APIView):
    """Anonymous readers have a cart too (kept in their session); checkout asks them to sign in. Each
    cookieless call would make a cart, a session and a click: anonymous callers are rate limited."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonymousThrottle]

    @extend_schema(
        request=None,
        responses={201: CardCartOutput},
        summary="Add a note's product to my cart, attributed to the note",
        description="Puts the tagged variant (else the product's cheapest variant in stock) in the cart "
        "with the referral `note:<id>` and records the card click. 404 when the note is not visible or "
        "does not tag the product; 409 when the product is sold out or off sale (nothing recorded).",
    )
    def post(self, request, note_id: int, product_id: int):
        link = access_note_product(user=request.user, note_id=note_id, product_id=product_id)
        added = card_cart_add(
            link=link, cart_for=lambda: cart_for_request(request), user=request.user, who=visitor(request)
        )
        body = CardCartOutput({"line": added.line, "cart_count": cart_count(cart=added.cart)}).data
        return Response(body, status=status.HTTP_201_CREATED)
