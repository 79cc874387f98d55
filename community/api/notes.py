"""Notes API: list and publish (multipart), read, edit and delete one note, #topic suggestions."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from community.api.cards import absolute_url
from community.api.links import ProductCardOutput
from community.api.trust import NoteTrustFields
from community.models import BODY_MAX, IMAGES_MAX, PRODUCT_LINKS_MAX, TITLE_MAX, Note
from community.selectors.access import access_note_for_edit
from community.selectors.note_page import note_page
from community.selectors.notes import note_drafts_qs, note_visible_qs
from community.selectors.topics import topic_suggest
from community.services.notes import note_create, note_delete, note_publish, note_update
from core.api import JSONParser
from core.pagination import CURSOR, KeysetPagination, page_size_parameter, paginated


class NotePagination(KeysetPagination):
    page_size = 20
    max_page_size = 50


class NoteAuthorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    nickname = serializers.CharField(source="display_name")
    avatar = serializers.SerializerMethodField()

    def get_avatar(self, user) -> str | None:
        return absolute_url(self.context.get("request"), user.avatar)


class NoteImageOutput(serializers.Serializer):
    """A photo's renditions; ``null`` while ``state`` is ``pending`` (the original is never served)."""

    id = serializers.IntegerField()
    position = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    state = serializers.CharField()
    feed = serializers.SerializerMethodField()
    detail = serializers.SerializerMethodField()

    def get_feed(self, image) -> str | None:
        return absolute_url(self.context.get("request"), image.feed)

    def get_detail(self, image) -> str | None:
        return absolute_url(self.context.get("request"), image.detail)


class NoteCoverOutput(NoteImageOutput):
    position = None  # a card's cover is the first photo


class NoteSummaryOutput(NoteTrustFields):
    """A note in a list, with its trust chips (``bought_here``, ``sponsored``, ``sponsor``)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    author = NoteAuthorOutput()
    cover = NoteCoverOutput(allow_null=True)
    visibility = serializers.CharField()
    status = serializers.CharField()
    like_count = serializers.IntegerField()
    collect_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class NoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    location = serializers.CharField()
    visibility = serializers.ChoiceField(choices=Note.Visibility.choices)
    status = serializers.ChoiceField(choices=Note.Status.choices)
    author = NoteAuthorOutput()
    images = NoteImageOutput(many=True)
    topics = serializers.ListField(child=serializers.CharField())
    like_count = serializers.IntegerField()
    collect_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    view_count = serializers.IntegerField()
    liked = serializers.BooleanField()
    collected = serializers.BooleanField()
    products = ProductCardOutput(many=True, help_text="The purchase links, in the writer's order.")
    sponsored = serializers.BooleanField(help_text="Written under a declared brand partnership.")
    sponsor = serializers.CharField(
        allow_null=True, help_text="The partner brand's name; null if not sponsored."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def _note_output(request, note_id) -> dict:
    page = note_page(note_id=note_id, viewer=request.user)
    note = page.note
    data = {
        **{f: getattr(note, f) for f in ("id", "title", "body", "location", "visibility", "status")},
        **{f: getattr(note, f) for f in ("like_count", "collect_count", "comment_count", "view_count")},
        "author": note.author,
        "images": page.images,
        "topics": page.topics,
        "liked": note.pk in page.state.liked,
        "collected": note.pk in page.state.collected,
        "products": page.products,
        "sponsored": note.is_sponsored,
        "sponsor": page.sponsor.name if page.sponsor else None,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
    }
    return NoteOutput(data, context={"request": request}).data


def _refusal(exc: ValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(
            {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return serializers.ValidationError({"detail": exc.messages})


_FORMATS = "JPEG, PNG, WebP or GIF"


class ProductLinkInput(serializers.Serializer):
    product = serializers.IntegerField(min_value=1, max_value=2**62)
    sku = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        required=False,
        allow_null=True,
        help_text="One variant; left out: the product.",
    )


_PRODUCTS_HELP = (
    f"At most {PRODUCT_LINKS_MAX} products on sale, each once. In multipart, one JSON array or repeated "
    "'products' parts as '<product id>' or '<product id>:<sku id>'."
)
_PARTNERSHIP_HELP = "The id of one of my brand partnerships running today; null: not sponsored."


class NoteCreateInput(serializers.Serializer):
    # Lengths and photos are checked by the service (one set of rules and messages for pages and API).
    title = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=f"1 to {TITLE_MAX} characters."
    )
    body = serializers.CharField(
        required=False, default="", allow_blank=True, trim_whitespace=False,
        help_text=f"At most {BODY_MAX} characters; #topics and @mentions are linked.",
    )  # fmt: skip
    location = serializers.CharField(required=False, default="", allow_blank=True, trim_whitespace=False)
    visibility = serializers.ChoiceField(choices=Note.Visibility.choices, default=Note.Visibility.PUBLIC)
    images = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=True,
        required=False,
        default=list,
        help_text=f"1 to {IMAGES_MAX} photos ({_FORMATS}), each as a part named 'images'; the first is the cover.",
    )
    image_order = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=IMAGES_MAX * 2),
        required=False,
        allow_empty=True,
        max_length=IMAGES_MAX * 2,
        help_text="Indices of 'images' in display order (for example 2,0,1); file order when left out.",
    )
    products = ProductLinkInput(many=True, required=False, help_text=_PRODUCTS_HELP)
    partnership = serializers.IntegerField(required=False, allow_null=True, help_text=_PARTNERSHIP_HELP)
    draft = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Save as a draft: seen by nobody else until published (POST /api/notes/{id}/publish/).",
    )


class NoteUpdateInput(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    location = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    visibility = serializers.ChoiceField(choices=Note.Visibility.choices, required=False)
    new_images = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        allow_empty=True,
        help_text=f"Photos to add ({_FORMATS}), each as a part named 'new_images'.",
    )
    image_order = serializers.ListField(
        child=serializers.CharField(max_length=24),
        required=False,
        allow_empty=True,
        max_length=IMAGES_MAX * 3,
        help_text=(
            "The display order: ids of the photos to keep and 'new:N' for the N-th of 'new_images'. "
            "Photos left out are removed; new photos left out go last. Left out: photos unchanged."
        ),
    )
    products = ProductLinkInput(
        many=True, required=False, help_text=_PRODUCTS_HELP + " Left out: unchanged; empty: none."
    )
    partnership = serializers.IntegerField(
        required=False, allow_null=True, help_text=_PARTNERSHIP_HELP + " Left out: unchanged."
    )


def _multi(request, name: str) -> list | None:
    """A repeated multipart/form field (or a JSON list, or one comma-separated value) as a list."""
    data = request.data
    if hasattr(data, "getlist"):
        values = data.getlist(name)
        if not values and name not in data:
            return None
        if len(values) == 1 and isinstance(values[0], str):
            return [v.strip() for v in values[0].split(",") if v.strip()]
        return values
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def _products(request) -> list | None:
    """``products`` as a list of {product, sku} objects, from JSON or from multipart parts."""
    data = request.data
    if "products" not in data:
        return None
    if not hasattr(data, "getlist"):
        return data.get("products")
    values = [v.strip() for v in data.getlist("products") if isinstance(v, str)]
    if len(values) == 1 and values[0].startswith("["):
        try:
            return json.loads(values[0])
        except (ValueError, RecursionError):  # RecursionError: arrays nested past the parser's depth
            return values[0]  # refused by the serializer as "not a list"
    items = []
    for token in (v for v in values if v):
        product, _sep, sku = token.partition(":")
        items.append({"product": product, "sku": sku or None})
    return items


def _input(serializer_class, request, list_fields: tuple[str, ...]):
    if not isinstance(request.data, Mapping):
        # A JSON list, string or number: there are no fields to read (and nothing is written).
        raise serializers.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("Send the note's fields as one JSON object.")]}
        )
    data = {k: v for k, v in request.data.items() if k not in (*list_fields, "products")}
    products = _products(request)
    if isinstance(products, list) and len(products) > PRODUCT_LINKS_MAX:
        # Refused before each item is validated: a body of 100k items would take the serializer a second.
        raise serializers.ValidationError(
            {
                "products": [
                    _("A note tags at most %(max)d products; this one has %(n)d.")
                    % {"max": PRODUCT_LINKS_MAX, "n": len(products)}
                ]
            }
        )
    if products is not None:
        data["products"] = products
    if data.get("partnership") == "":
        data["partnership"] = None  # an empty form field: not sponsored
    for name in list_fields:
        if name in ("images", "new_images") and hasattr(request, "FILES"):
            files = request.FILES.getlist(name)
            if files:
                data[name] = files
                continue
        values = _multi(request, name)
        if values is not None:
            data[name] = values
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class NoteListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class NoteFilterInput(serializers.Serializer):
        """The filters as the schema types them: a malformed one is a 400, not an empty list or a 404."""

        author = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
        drafts = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "author", {"type": "integer", "minimum": 1}, description="Only this writer's notes."
            ),
            OpenApiParameter("drafts", bool, description="My drafts instead (they are in no other list)."),
            CURSOR,
            page_size_parameter(default=NotePagination.page_size, maximum=NotePagination.max_page_size),
        ],
        responses=paginated("NotePage", NoteSummaryOutput),
        operation_id="notes_list",
        summary="Notes the viewer may see, newest first (cursor pagination)",
    )
    def get(self, request):
        filters = self.NoteFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if filters.validated_data["drafts"]:
            qs = note_drafts_qs(user=request.user)
        else:
            qs = note_visible_qs(viewer=request.user).exclude(status=Note.Status.DRAFT)
        if "author" in filters.validated_data:
            qs = qs.filter(author_id=filters.validated_data["author"])
        paginator = NotePagination()
        notes = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(
            NoteSummaryOutput(notes, many=True, context={"request": request}).data
        )

    @extend_schema(
        request={"multipart/form-data": NoteCreateInput},
        responses={201: NoteOutput},
        summary="Publish a note with 1 to 18 photos",
        description="Photos are checked (format, bytes, pixels) before anything is stored; WebP "
        "renditions are made in the background, so their URLs are null until `state` is `ready`.",
    )
    def post(self, request):
        data = _input(NoteCreateInput, request, ("images", "image_order"))
        try:
            note = note_create(author=request.user, **data)
        except ValidationError as exc:
            raise _refusal(exc) from None
        return Response(_note_output(request, note.pk), status=status.HTTP_201_CREATED)


class NoteDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_permissions(self):
        if self.request.method in ("PATCH", "DELETE"):
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(responses=NoteOutput, summary="One note (404 for hidden or private notes of others)")
    def get(self, request, note_id: int):
        return Response(_note_output(request, note_id))

    @extend_schema(
        request={"multipart/form-data": NoteUpdateInput, "application/json": NoteUpdateInput},
        responses=NoteOutput,
        summary="Edit my note: text, visibility, photo order, remove and add photos",
    )
    def patch(self, request, note_id: int):
        note = access_note_for_edit(user=request.user, note_id=note_id)
        data = _input(NoteUpdateInput, request, ("new_images", "image_order"))
        fields = {
            "title": data.get("title", note.title),
            "body": data.get("body", note.body),
            "location": data.get("location", note.location),
            "visibility": data.get("visibility", note.visibility),
        }
        try:
            note_update(
                note=note,
                **fields,
                image_order=data.get("image_order"),
                new_images=data.get("new_images", []),
                products=data.get("products"),
                **({"partnership": data["partnership"]} if "partnership" in data else {}),
            )
        except ValidationError as exc:
            raise _refusal(exc) from None
        return Response(_note_output(request, note.pk))

    @extend_schema(responses={204: None}, summary="Delete my note with its photos")
    def delete(self, request, note_id: int):
        note_delete(note=access_note_for_edit(user=request.user, note_id=note_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotePublishApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=NoteOutput, summary="Publish my draft as it was saved")
    def post(self, request, note_id: int):
        note = note_publish(note=access_note_for_edit(user=request.user, note_id=note_id))
        return Response(_note_output(request, note.pk))


class TopicSuggestionOutput(serializers.Serializer):
    name = serializers.CharField()
    note_count = serializers.IntegerField()


class TopicSuggestApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="What follows '#': topics starting with it.")],
        responses=TopicSuggestionOutput(many=True),
        summary="#topic suggestions: prefix match, most used first",
    )
    def get(self, request):
        topics = topic_suggest(prefix=request.query_params.get("q", ""))
        return Response(TopicSuggestionOutput(topics, many=True).data)
