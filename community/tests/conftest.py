"""Fixtures the community's test modules share (plain helpers are in ``community/tests/support/``)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import Note, NoteProduct
from community.tests.factories import NoteFactory, hidden_note, private_note
from community.tests.support.demand import S, buzz, sell
from community.tests.support.demand import click as product_click
from community.tests.support.hostile import World
from community.tests.support.stats import (
    UNCOUNTED,
    click,
    collect,
    comment,
    follow,
    like,
    local_day,
    moments,
    order,
    ref,
    views,
)
from community.tests.support.trust import order_delivered, partnership, product, tagged_note, writer_shopper
from mall.models import Order, StockRecord
from mall.tests.factories import BrandFactory, SkuFactory, WarehouseFactory, stock_give


@pytest.fixture
def api():
    """An API client of nobody in particular (sign it in with ``force_authenticate``)."""
    return APIClient()


@pytest.fixture
def member_api():
    """An API client signed in as a fresh member (``member_api.user``)."""
    client = APIClient()
    client.user = UserFactory()
    client.force_authenticate(client.user)
    return client


@pytest.fixture
def stats_world():
    """Two writers, a quiet writer, four readers and a heap of activity in and around the windows."""
    now = timezone.now()
    at = moments(now)
    writer, other, quiet = UserFactory(), UserFactory(), UserFactory()
    readers = UserFactory.create_batch(4)
    notes = [NoteFactory(author=writer, images=0) for _ in range(3)]
    notes.append(NoteFactory(author=writer, images=0, visibility=Note.Visibility.PRIVATE))
    theirs = [NoteFactory(author=other, images=0) for _ in range(2)]
    NoteFactory(author=quiet, images=0)
    everything = notes + theirs
    times = list(at.values())
    today = local_day(now)

    # Views: on days inside, on the edges, and outside, for both writers.
    for i, note in enumerate(everything):
        for back in (0, 1, 6, 7, 29, 30, 45):
            views(note, today - dt.timedelta(days=back), 3 + i * 7 + back)

    for i, (reader, note) in enumerate(itertools.product(readers, everything)):
        when = times[i % len(times)]
        like(reader, note, when)
        if i % 2 == 0:
            collect(reader, note, times[(i + 3) % len(times)])
        top = comment(reader, note, times[(i + 1) % len(times)])
        if i % 3 == 0:
            # The writer answering under their own note: not counted. A reader's reply: counted.
            comment(note.author, note, times[(i + 2) % len(times)], parent=top)
            comment(readers[(i + 1) % 4], note, times[(i + 4) % len(times)], parent=top)
        click(note, times[(i + 5) % len(times)], user=reader if i % 2 else None)

    # The writer likes and collects a note of their own: their notes, counted like anyone's.
    like(writer, notes[0], at["yesterday"])
    for i, reader in enumerate(readers):
        follow(reader, writer, times[i * 2 % len(times)])
        follow(reader, other, at["just_now"])
    follow(writer, other, at["yesterday"])  # the writer following someone is not a new follower of theirs

    counted = [Order.State.PAID, Order.State.DELIVERED, Order.State.RETURN_REQUESTED, Order.State.COMPLETED]
    buyers = itertools.cycle(readers)
    # Counted orders, one note each, at every instant.
    for i, when in enumerate(times):
        order(next(buyers), paid_at=when, state=counted[i % 4], lines=[(ref(notes[i % 3]), f"{99 + i}.50")])
    # One order naming two of the writer's notes, a flash sale and nothing: once in the totals, once per
    # note in the table, revenue only from the writer's lines.
    order(
        next(buyers),
        paid_at=at["yesterday"],
        state=Order.State.SHIPPED,
        lines=[
            (ref(notes[0]), "120.00"),
            (ref(notes[1]), "80.25"),
            (ref(notes[1]), "19.75"),
            ("flashsale:7", "49.00"),
            ("", "10.00"),
        ],
    )
    # Not counted: states that are no longer a sale, unpaid, other writers', malformed referrals.
    for state in sorted(UNCOUNTED):
        order(next(buyers), paid_at=at["yesterday"], state=state, lines=[(ref(notes[0]), "500.00")])
    order(next(buyers), paid_at=None, state=Order.State.PENDING_PAYMENT, lines=[(ref(notes[0]), "700.00")])
    order(next(buyers), paid_at=at["just_now"], lines=[(ref(theirs[0]), "300.00"), ("", "5.00")])
    order(
        next(buyers), paid_at=at["just_now"], lines=[("note:abc", "1.00"), (f"note:{notes[0].pk}0", "2.00")]
    )
    return {"now": now, "writer": writer, "other": other, "quiet": quiet, "notes": notes, "readers": readers}


@pytest.fixture
def shelves():
    """Serum: most talked about, 3 units left, sold 4 this week. Cream: high buzz, 200 in stock.
    Toner: little buzz. Serum and toner share a brand."""
    lumi, hana = BrandFactory(name="Lumi"), BrandFactory(name="Hana")
    serum = SkuFactory(product__name="Glow serum", product__brand=lumi, code="GLOW-30")
    cream = SkuFactory(product__name="Rich cream", product__brand=hana, code="RICH-50")
    toner = SkuFactory(product__name="Clear toner", product__brand=lumi, code="CLEAR-100")
    record = stock_give(sku=serum, quantity=10)
    StockRecord.objects.filter(pk=record.pk).update(allocated=7)
    stock_give(sku=cream, quantity=150)
    stock_give(sku=cream, warehouse=WarehouseFactory(code="SH-BONDED", name="Shanghai"), quantity=50)
    stock_give(sku=toner, quantity=40)
    buzz(serum.product, score=120, mentions=8, engagement=60, card_clicks=9)
    buzz(cream.product, score=90, mentions=5, engagement=40, card_clicks=4)
    buzz(toner.product, score=10, mentions=1, engagement=2)
    sell(serum, quantity=3)
    sell(serum, quantity=1, state=S.DELIVERED, days_ago=5)
    sell(serum, quantity=2, days_ago=20)  # only in the 30-day period
    sell(serum, quantity=5, state=S.CANCELLED, paid=False)
    sell(serum, quantity=6, state=S.REFUNDED)
    sell(serum, quantity=7, state=S.PENDING_PAYMENT, paid=False)
    sell(serum, quantity=8, days_ago=40)  # before either period
    product_click(serum.product, count=2)
    product_click(serum.product, count=3, days_ago=12)
    return {"serum": serum, "cream": cream, "toner": toner, "lumi": lumi, "hana": hana}


@pytest.fixture
def writer_world():
    """A writer with a brand deal, a product of that brand tagged in a public note, private and hidden notes
    tagging it too, and a delivered order of it; another writer with a deal of their own; a superuser."""
    w = World()
    w.shopper = writer_shopper()
    w.writer = w.shopper[0]
    w.other = UserFactory()
    w.staff = UserFactory(is_staff=True, is_superuser=True)
    w.deal = partnership(writer=w.writer)
    w.product, w.sku = product("Serum", brand=w.deal.brand)
    w.other_product, w.other_sku = product("Cream")
    w.note = tagged_note(author=w.writer, products=[w.product])
    w.private = private_note(author=w.writer)
    NoteProduct.objects.create(note=w.private, product=w.product, position=0)
    w.hidden = hidden_note(author=w.writer)
    NoteProduct.objects.create(note=w.hidden, product=w.product, position=0)
    w.order = order_delivered(w.shopper, w.sku)
    w.other_deal = partnership(writer=w.other, title="Other's deal")
    return w
