"""Product buzz: the table the hourly task writes equals a recompute from the raw rows done here, product
by product, in plain Python; running it twice changes nothing; products nobody talks about leave it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from celery.signals import task_postrun
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import (
    Collect,
    Comment,
    Like,
    Note,
    NoteProduct,
    ProductBuzz,
    ProductCardClick,
)
from community.services.buzz import product_buzz_recompute
from community.tasks import product_buzz_recompute_task as buzz_task
from community.tests.factories import BoardFactory, CommentFactory, NoteFactory
from mall.tests.factories import ProductFactory
from tests.support.concurrency import call_concurrently

pytestmark = pytest.mark.django_db


def tag(note, *products) -> None:
    for position, product in enumerate(products):
        NoteProduct.objects.create(note=note, product=product, position=position)


def react(note, *, likes: int = 0, collects: int = 0, comments: int = 0) -> None:
    for _ in range(likes):
        Like.objects.create(user=UserFactory(), note=note)
    for _ in range(collects):
        reader = UserFactory()
        Collect.objects.create(user=reader, note=note, board=BoardFactory(owner=reader))
    for _ in range(comments):
        CommentFactory(note=note)


def click(note, product, *, count: int = 1, days_ago: float = 0) -> None:
    for _ in range(count):
        row = ProductCardClick.objects.create(note=note, product=product, action="open")
        if days_ago:
            ProductCardClick.objects.filter(pk=row.pk).update(
                created_at=timezone.now() - timedelta(days=days_ago)
            )


def age(note, *, days: float) -> None:
    Note.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(days=days))


def independent_buzz(now) -> dict[int, tuple[int, int, int, float]]:
    """{product id: (mentions, engagement, clicks, score)} from the rows, one note at a time."""
    figures: dict[int, list] = {}
    for link in NoteProduct.objects.select_related("note"):
        note = link.note
        if note.status != "published" or note.visibility != "public":
            continue
        engagement = (
            Like.objects.filter(note=note).count()
            + Collect.objects.filter(note=note).count()
            + Comment.objects.filter(note=note, status="visible").count()
        )
        age_days = max((now - note.created_at).total_seconds() / 86400, 0)
        entry = figures.setdefault(link.product_id, [0, 0, 0, 0.0])
        entry[0] += 1
        entry[1] += engagement
        entry[3] += (5 + engagement) * 0.5 ** (age_days / 30)
    for c in ProductCardClick.objects.filter(created_at__gte=now - timedelta(days=30)):
        entry = figures.setdefault(c.product_id, [0, 0, 0, 0.0])
        entry[2] += 1
        entry[3] += 2
    return {pk: tuple(v) for pk, v in figures.items()}


def stored_buzz() -> dict[int, tuple[int, int, int, float]]:
    return {
        b.product_id: (b.mentions, b.engagement, b.card_clicks, b.score) for b in ProductBuzz.objects.all()
    }


def assert_same(stored, expected) -> None:
    assert stored.keys() == expected.keys()
    for pk, (mentions, engagement, clicks, score) in expected.items():
        assert stored[pk][:3] == (mentions, engagement, clicks), pk
        assert stored[pk][3] == pytest.approx(score, rel=1e-6), pk


@pytest.fixture
def community():
    """Three products talked about in different ways, one private note, one moderated note, one hidden
    comment, old and new clicks, one product nobody mentions."""
    serum, cream, mask, silent = ProductFactory.create_batch(4)
    fresh, older, second = NoteFactory(images=0), NoteFactory(images=0), NoteFactory(images=0)
    tag(fresh, serum, cream)
    tag(older, serum)
    tag(second, mask)
    react(fresh, likes=3, collects=2, comments=1)
    react(older, likes=1, comments=2)
    Comment.objects.filter(note=older).update(status=Comment.Status.HIDDEN)
    react(second, likes=2)
    age(older, days=45)
    private = NoteFactory(images=0, visibility=Note.Visibility.PRIVATE)
    hidden = NoteFactory(images=0, status=Note.Status.HIDDEN)
    tag(private, silent)
    tag(hidden, silent)
    react(private, likes=5)
    click(fresh, serum, count=3)
    click(fresh, cream, count=2, days_ago=40)  # outside the window
    click(second, mask, count=1, days_ago=10)
    return {"serum": serum, "cream": cream, "mask": mask, "silent": silent, "fresh": fresh}


@pytest.mark.clocks
def test_the_stored_buzz_equals_an_independent_recompute_from_the_raw_rows(community):
    product_buzz_recompute()

    expected = independent_buzz(timezone.now())
    assert_same(stored_buzz(), expected)
    serum = stored_buzz()[community["serum"].pk]
    # Two notes (fresh: 3 likes + 2 collects + 1 comment; older: 1 like, its comments hidden), 3 clicks.
    assert serum[:3] == (2, 7, 3)
    assert community["silent"].pk not in expected  # only a private and a moderated note tag it


def test_a_click_only_product_has_buzz_and_the_score_orders_by_talk(community):
    lonely = ProductFactory()
    click(community["fresh"], lonely, count=1)
    product_buzz_recompute()

    assert stored_buzz()[lonely.pk][:3] == (0, 0, 1)
    ranked = list(ProductBuzz.objects.order_by("-score").values_list("product_id", flat=True))
    assert ranked[0] == community["serum"].pk


@pytest.mark.clocks
def test_running_twice_changes_nothing_and_products_no_longer_talked_about_leave(community):
    product_buzz_recompute()
    first = stored_buzz()
    result = product_buzz_recompute()
    assert result.removed == 0
    assert stored_buzz().keys() == first.keys()

    # The mask's only note is made private and its click ages out of the window: its row goes.
    Note.objects.filter(product_links__product=community["mask"]).update(visibility=Note.Visibility.PRIVATE)
    ProductCardClick.objects.filter(product=community["mask"]).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    result = product_buzz_recompute()

    assert result.removed == 1
    assert community["mask"].pk not in stored_buzz()
    assert_same(stored_buzz(), independent_buzz(timezone.now()))


def test_engagement_changes_are_picked_up_on_the_next_run(community):
    product_buzz_recompute()
    react(community["fresh"], likes=4)
    product_buzz_recompute()

    assert stored_buzz()[community["cream"].pk][1] == 6 + 4
    assert_same(stored_buzz(), independent_buzz(timezone.now()))


def test_with_nothing_talked_about_the_table_empties():
    ProductBuzz.objects.create(product=ProductFactory(), mentions=3, score=20)
    result = product_buzz_recompute()
    assert (result.products, result.removed) == (0, 1)
    assert not ProductBuzz.objects.exists()


def test_the_task_is_thin_idempotent_and_on_a_named_queue(community, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["community-product-buzz-recompute"]
    assert entry["options"]["queue"] in settings.CELERY_TASK_QUEUES_NAMES
    assert entry["task"] == buzz_task.name == "community.tasks.product_buzz_recompute_task"

    assert buzz_task.apply().get() == 3
    assert buzz_task.apply().get() == 3
    assert_same(stored_buzz(), independent_buzz(timezone.now()))


@pytest.mark.django_db(transaction=True)
def test_two_recomputes_at_once_neither_fail_nor_disagree():
    products = ProductFactory.create_batch(30)
    for i, product in enumerate(products):
        note = NoteFactory(images=0)
        tag(note, product)
        react(note, likes=i % 4)
    call_concurrently([product_buzz_recompute, product_buzz_recompute])  # re-raises what either raised

    assert_same(stored_buzz(), independent_buzz(timezone.now()))


@pytest.mark.django_db(transaction=True)
def test_the_beat_entry_runs_on_a_real_worker(celery_worker, settings):
    note = NoteFactory(images=0)
    product = ProductFactory()
    tag(note, product)
    entry = settings.CELERY_BEAT_SCHEDULE["community-product-buzz-recompute"]
    done = threading.Event()

    def finished(sender=None, **kwargs):
        if sender is not None and sender.name == buzz_task.name:
            done.set()

    task_postrun.connect(finished, weak=False)
    try:
        buzz_task.apply_async(queue=entry["options"]["queue"])
        assert done.wait(timeout=20), "the worker never ran the task"
    finally:
        task_postrun.disconnect(finished)
    assert ProductBuzz.objects.get(product=product).mentions == 1
