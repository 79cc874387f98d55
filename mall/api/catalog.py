"""The catalog in the API: products (filtered, sorted, a keyset page at a time), one product with its SKUs and
stock, categories and brands."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.keyset import page_size_parse
from core.pagination import CURSOR, page_body, paginated
from mall.api.common import PAGE_SIZE, absolute_url
from mall.selectors import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, catalog


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
        return absolute_url(self.context["request"], product.cover_url)


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
    api_error_statuses = (404,)  # ?category= names a category that does not exist

    class ProductFilterInput(serializers.Serializer):
        """The API refuses an unknown sort (400); the catalog page falls back to the default."""

        sort = serializers.ChoiceField(choices=list(catalog.SORTS), required=False, allow_blank=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, description="A category slug (its subcategories included)."),
            OpenApiParameter("brand", str, many=True, description="Brand slugs (any of them)."),
            OpenApiParameter("origin", str, many=True, description="Countries of origin (any of them)."),
            OpenApiParameter("price_min", str, description="Lowest price, CNY."),
            OpenApiParameter("price_max", str, description="Highest price, CNY."),
            OpenApiParameter(
                "q",
                str,
                description="Words to search for (mall.selectors.search: names, brands, categories, descriptions, both languages, synonyms).",
            ),
            OpenApiParameter(
                "sort", str, enum=list(catalog.SORTS), description="Default 'relevance' with q, else 'new'."
            ),
            CURSOR,
            PAGE_SIZE,
        ],
        responses=paginated("MallProductPage", MallProductCardOutput),
        operation_id="mall_products_list",
        summary="Products on sale, filtered and sorted, a keyset page at a time",
    )
    def get(self, request):
        self.ProductFilterInput(data=request.query_params).is_valid(raise_exception=True)
        query = catalog.ListingQuery.from_params(request.query_params)
        listing = catalog.product_list(
            query=query,
            cursor=request.query_params.get("cursor"),
            size=page_size_parse(
                request.query_params.get("page_size"), default=PAGE_SIZE_DEFAULT, maximum=PAGE_SIZE_MAX
            ),
            facets=False,
        )
        results = MallProductCardOutput(listing.products, many=True, context={"request": request}).data
        return Response(page_body(request, listing.page, results))


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
