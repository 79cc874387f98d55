"""Trust API: the fields every note card carries (``bought_here``, ``sponsored``, ``sponsor``), the reader's
``sponsored=hide`` filter shared by the feed and search lists, and the notes about a product ("buyer
shows"): GET /api/products/<id>/notes/, verified purchases first, then the most liked.

``bought_here`` is read-only everywhere: it is derived from the writer's received orders on every read
(selectors/purchases.py), so no input of any API can set it.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from community.api.cards import FeedAuthorOutput, FeedCoverOutput
from community.selectors import trust as selectors
from core.pagination import CURSOR, page_body, page_params, page_size_parameter, paginated

SPONSORED_CHOICES = ("show", "hide")

SPONSORED_PARAM = OpenApiParameter(
    "sponsored",
    OpenApiTypes.STR,
    enum=list(SPONSORED_CHOICES),
    description="hide: leave out notes written under a brand partnership (default: show them, labelled).",
)


class SponsoredFilterInput(serializers.Serializer):
    sponsored = serializers.ChoiceField(choices=SPONSORED_CHOICES, required=False, default="show")


def sponsored_hide_parse(query_params) -> bool:
    """True for ``?sponsored=hide``; a value other than show/hide is a 400."""
    data = SponsoredFilterInput(data={k: query_params[k] for k in ("sponsored",) if k in query_params})
    data.is_valid(raise_exception=True)
    return data.validated_data["sponsored"] == "hide"


class NoteTrustFields(serializers.Serializer):
    """The trust fields of a note in any list: mix into a note output serializer whose notes come from
    ``note_card_qs()`` (which joins the partnership's brand and computes ``bought_here``)."""

    bought_here = serializers.SerializerMethodField(
        help_text="The writer received at least one of the tagged products in a delivered order "
        "(derived from orders; gone if the order is returned). Never settable."
    )
    sponsored = serializers.SerializerMethodField(help_text="Written under a declared brand partnership.")
    sponsor = serializers.SerializerMethodField(help_text="The partnership's brand name, or null.")

    def get_bought_here(self, note) -> bool:
        return bool(getattr(note, "bought_here", False))

    def get_sponsored(self, note) -> bool:
        return note.partnership_id is not None

    def get_sponsor(self, note) -> str | None:
        return note.partnership.brand.name if note.partnership_id else None


# --- notes about a product --------------------------------------------------------------------------------


class ProductNoteOutput(NoteTrustFields):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = FeedAuthorOutput()
    cover = FeedCoverOutput(allow_null=True)
    like_count = serializers.IntegerField()
    collect_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    verified = serializers.BooleanField(
        help_text="The writer received this product in a delivered order (these notes come first)."
    )
    liked = serializers.SerializerMethodField()
    collected = serializers.SerializerMethodField()

    def get_liked(self, note) -> bool:
        return note.pk in self.context["state"].liked

    def get_collected(self, note) -> bool:
        return note.pk in self.context["state"].collected


class ProductNotesProductOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    brand = serializers.CharField(source="brand.name")


ProductNotesPageOutput = paginated("ProductNotesPage", ProductNoteOutput, product=ProductNotesProductOutput())


class ProductNotesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            CURSOR,
            page_size_parameter(),
        ],
        responses=ProductNotesPageOutput,
        summary="Notes about a product: verified purchases first, then the most liked",
        description="Public, published notes that tag the product. 404 when the product is not on sale.",
        tags=["trust"],
    )
    def get(self, request, product_id: int):
        data = selectors.product_notes(
            product_id=product_id,
            viewer=request.user,
            **page_params(request),
        )
        context = {"request": request, "state": data.state}
        results = ProductNoteOutput(data.notes, many=True, context=context).data
        return Response(
            {
                "product": ProductNotesProductOutput(data.product).data,
                **page_body(request, data, results),
            }
        )
