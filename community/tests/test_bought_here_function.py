"""The card's "bought here" flag is computed by the database function of migration 0008 (planned once per
session): it must give the same answers as the ORM rule ``received_lines`` in every order state."""

from __future__ import annotations

import importlib

import pytest

from community.selectors.notes import note_card_qs
from community.selectors.purchases import RECEIVED_STATES, notes_bought_here
from community.tests.support.trust import order_delivered, product, tagged_note, writer_shopper
from mall.models import Order

pytestmark = pytest.mark.django_db


def test_the_function_counts_the_same_order_states_as_the_selectors():
    migration = importlib.import_module("community.migrations.0008_note_bought_here_function")
    assert set(migration.RECEIVED) == {str(state) for state in RECEIVED_STATES}


@pytest.mark.parametrize("state", list(Order.State))
def test_the_function_and_the_orm_rule_agree_in_every_order_state(state):
    writer = writer_shopper()
    other = writer_shopper()
    cream, cream_sku = product(name="Cream")
    serum, serum_sku = product(name="Serum")
    tagged = tagged_note(author=writer[0], products=[cream])
    untagged_buy = tagged_note(author=writer[0], products=[serum])
    someone_elses = tagged_note(author=other[0], products=[cream])
    order = order_delivered(writer, cream_sku)
    Order.objects.filter(pk=order.pk).update(state=state)
    ids = [tagged.pk, untagged_buy.pk, someone_elses.pk]

    by_function = dict(note_card_qs().filter(pk__in=ids).values_list("pk", "bought_here"))
    by_orm = {pk: pk in notes_bought_here(note_ids=ids) for pk in ids}

    assert by_function == by_orm
    assert by_function[tagged.pk] is (state in RECEIVED_STATES)
    assert by_function[untagged_buy.pk] is False and by_function[someone_elses.pk] is False
