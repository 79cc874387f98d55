"""Everything the note page shows, in a fixed number of queries whatever the number of photos."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Prefetch, Value
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import Collect, Follow, Like, Note, NoteImage, NoteProduct, Topic
from community.selectors.access import _int, note_visible_q
from community.selectors.links import ProductCard, note_product_cards
from community.selectors.notes import ViewerState
from core.errors import NotFound


@dataclass
class NotePage:
    note: Note
    images: list[NoteImage]
    topics: list[str]  # the topics' names, in name order
    # handle -> user id of the people @-ed in the body, for ``text_linkify``.
    mentioned: dict[str, int]
    state: ViewerState
    is_author: bool
    following_author: bool
    # The purchase links as product cards, in the writer's order.
    products: list[ProductCard] = field(default_factory=list)

    @property
    def bought_here(self) -> set[int]:
        """Ids of the tagged products the writer received (the "bought here" marks)."""
        return {card.product_id for card in self.products if card.bought_here}

    @property
    def sponsor(self):
        """The brand of the declared partnership (None: not sponsored); loaded with the note."""
        return self.note.partnership.brand if self.note.partnership_id else None

    @property
    def cover(self) -> NoteImage | None:
        return self.images[0] if self.images else None


def note_page(*, note_id, viewer) -> NotePage:
    """The note with its author, declared partnership and brand, photos in order, topics and mentions,
    and the viewer's likes, collects and follow of the author: 2 queries (the note, with its topics' names
    and its mentioned users as array subqueries, and its photos). A note with purchase links adds the 4
    queries of its product cards, whatever their number.

    Hidden, under-review and private notes exist only for their author (404 for everyone else)."""
    authenticated = viewer is not None and viewer.is_authenticated
    if authenticated:
        flags = {
            "viewer_liked": Exists(Like.objects.filter(note=OuterRef("pk"), user=viewer)),
            "viewer_collected": Exists(Collect.objects.filter(note=OuterRef("pk"), user=viewer)),
            "viewer_follows_author": Exists(
                Follow.objects.filter(followee=OuterRef("author_id"), follower=viewer)
            ),
        }
    else:
        flags = {name: Value(False) for name in ("viewer_liked", "viewer_collected", "viewer_follows_author")}
    note = (
        Note.objects.filter(note_visible_q(viewer), pk=_int(note_id))
        .select_related("author", "partnership__brand")
        .defer("search_vector")
        .annotate(
            **flags,
            has_products=Exists(NoteProduct.objects.filter(note=OuterRef("pk"))),
            # Two prefetch round trips (and their ORM work) folded into the note's own query.
            topic_names=ArraySubquery(
                Topic.objects.filter(notes=OuterRef("pk")).order_by("name").values("name")
            ),
            mention_list=ArraySubquery(
                User.objects.filter(mentioned_in=OuterRef("pk")).values(
                    json=JSONObject(id="id", username="username")
                )
            ),
        )
        .prefetch_related(
            Prefetch("images", queryset=NoteImage.objects.order_by("position"), to_attr="ordered_images"),
        )
        .first()
    )
    if note is None:
        raise NotFound(_("This note does not exist or is not visible."))
    state = ViewerState(
        liked={note.pk} if note.viewer_liked else set(),
        collected={note.pk} if note.viewer_collected else set(),
    )
    return NotePage(
        note=note,
        images=note.ordered_images,
        topics=list(note.topic_names),
        mentioned={u["username"]: u["id"] for u in note.mention_list},
        state=state,
        is_author=authenticated and note.author_id == viewer.pk,
        following_author=bool(note.viewer_follows_author),
        products=note_product_cards(note_id=note.pk) if note.has_products else [],
    )
