"""The demo community: believable content that fits the rules, made idempotently, by the demo's people."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from accounts.models import User
from community.models import (
    BODY_MAX,
    TITLE_MAX,
    Board,
    Collect,
    Comment,
    Follow,
    Like,
    Note,
    NoteImage,
    Topic,
)
from community.text import mentions_parse, topics_parse
from demo import drawing
from demo.seed import community, people


def test_the_demo_notes_fit_the_rules_and_cover_both_languages_and_all_categories():
    notes = community.NOTES
    assert len(notes) >= 60
    assert all(len(n.title) <= TITLE_MAX and len(n.body) <= BODY_MAX for n in notes)
    assert all(1 <= n.photos <= 5 for n in notes)
    assert all(topics_parse(n.body) for n in notes)
    assert len({(n.author, n.title) for n in notes}) == len(notes)  # the natural key is unique
    chinese = [n for n in notes if drawing.is_chinese(n.title)]
    assert 20 <= len(chinese) <= len(notes) - 20
    assert {n.category for n in notes} == {"beauty", "snacks", "baby", "travel", "bags"}
    names = set(people.member_usernames())
    assert {n.author for n in notes} <= names
    mentioned = {m for n in notes for m in mentions_parse(n.body)}
    assert mentioned and mentioned <= names
    assert len(people.MORE_WRITERS) >= 10
    assert {"敏感肌", "学生党", "种草"} <= {t for n in notes for t in topics_parse(n.body)}


@pytest.mark.parametrize("ratio", [(3, 4), (1, 1), (4, 3)])
def test_generated_photos_have_the_asked_aspect_ratio(ratio):
    image = drawing.note_photo(category="beauty", word="护肤", ratio=ratio, variant=1, index=0)
    assert image.width == drawing.PHOTO_WIDTH
    assert image.height == round(image.width * ratio[1] / ratio[0])
    assert Image.open(io.BytesIO(drawing.encoded(image, "WEBP", quality=80))).format == "WEBP"


def _counts() -> dict[str, int]:
    models = (User, Note, NoteImage, Topic, Like, Collect, Board, Comment, Follow)
    counts = {m.__name__: m.objects.count() for m in models}
    counts["like_count"] = sum(Note.objects.values_list("like_count", flat=True))
    counts["comment_count"] = sum(Note.objects.values_list("comment_count", flat=True))
    return counts


@pytest.mark.django_db
def test_seed_makes_a_community_and_running_it_again_changes_nothing(monkeypatch):
    # A slice of the notes keeps the test quick; the data as a whole is checked above.
    monkeypatch.setattr(community, "NOTES", community.NOTES[:5] + community.NOTES[-3:])
    people.seed(stdout=io.StringIO())

    community.seed(stdout=io.StringIO())
    first = _counts()
    community.seed(stdout=io.StringIO())

    assert _counts() == first
    assert first["Note"] == 8
    assert first["Like"] > 8 and first["Follow"] > 16 and first["Topic"] > 3
    # Counters agree with the rows the services wrote.
    assert first["like_count"] == first["Like"] and first["comment_count"] == first["Comment"]
    # Every photo shows without a worker: ready renditions, the stored size matching the file.
    images = list(NoteImage.objects.all())
    assert images and all(i.state == NoteImage.State.READY and i.feed and i.detail for i in images)
    with images[0].feed.open("rb") as fh:
        assert Image.open(fh).size == (images[0].width, images[0].height)
    assert {(i.width * 4) // i.height for i in images} <= {3, 4, 5}  # 3:4, 1:1, 4:3
    assert all(n.hot_score > 0 and n.cover_id for n in Note.objects.all())
    assert Board.objects.filter(is_private=False).exists()
    assert Comment.objects.filter(parent__isnull=False).exists() or first["Comment"] == 0
