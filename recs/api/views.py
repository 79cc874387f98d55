"""The personal feed and related notes in the API. The feed's cards are the discovery feed's cards plus
``why`` (the source that proposed the note and its explanation); its cursor is opaque like every other.
Related notes are one list (no cursor) of the same cards."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from community.api.feeds import PAGE_SIZE, FeedCardOutput, feed_args
from community.api.trust import SPONSORED_PARAM
from community.selectors.access import access_note_for_view
from core.pagination import CURSOR, page_body, paginated
from core.visitor import visitor
from recs.selectors.feed import feed_for_you
from recs.selectors.related import related_notes


class WhyOutput(serializers.Serializer):
    source = serializers.CharField(help_text="topic, words, co, als, follow, explore or hot")
    text = serializers.CharField()


class ForYouCardOutput(FeedCardOutput):
    why = serializers.SerializerMethodField()

    def get_why(self, note) -> WhyOutput:
        source, text = self.context["why"].get(note.pk, ("hot", ""))
        return {"source": source, "text": text}


ForYouPageOutput = paginated("ForYouPage", ForYouCardOutput)
RelatedOutput = inline_serializer(name="RelatedNotes", fields={"results": FeedCardOutput(many=True)})


class ForYouFeedApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CURSOR, PAGE_SIZE, SPONSORED_PARAM],
        responses=ForYouPageOutput,
        summary="The personal discovery feed, each card with why it was chosen",
        tags=["feeds"],
    )
    def get(self, request):
        note_page = feed_for_you(viewer=request.user, reader=visitor(request).key, **feed_args(request))
        context = {"request": request, "state": note_page.state, "why": note_page.page.extra.get("why", {})}
        results = ForYouCardOutput(note_page.notes, many=True, context=context).data
        return Response(page_body(request, note_page.page, results))


class RelatedNotesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=RelatedOutput, summary="Notes related to a note (more like this)", tags=["feeds"]
    )
    def get(self, request, note_id: int):
        note = access_note_for_view(user=request.user, note_id=note_id)
        page = related_notes(note=note, viewer=request.user)
        context = {"request": request, "state": page.state}
        return Response({"results": FeedCardOutput(page.notes, many=True, context=context).data})
