"""Everything the note page shows, in a fixed number of queries whatever the number of photos."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Value
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
    topics: list[Topic]
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
    and the viewer's likes, collects and follow of the author: 4 queries (1 note + 3 prefetches). A note
    with purchase links adds the 4 queries of its product cards, whatever their number.

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
        .annotate(**flags, has_products=Exists(NoteProduct.objects.filter(note=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("images", queryset=NoteImage.objects.order_by("position"), to_attr="ordered_images"),
            Prefetch("topics", queryset=Topic.objects.order_by("name"), to_attr="topic_list"),
            Prefetch("mentions", queryset=User.objects.only("id", "username"), to_attr="mention_list"),
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
        topics=note.topic_list,
        mentioned={u.username: u.pk for u in note.mention_list},
        state=state,
        is_author=authenticated and note.author_id == viewer.pk,
        following_author=bool(note.viewer_follows_author),
        products=note_product_cards(note_id=note.pk) if note.has_products else [],
    )
