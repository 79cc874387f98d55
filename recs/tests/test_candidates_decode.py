"""A stored candidate list is decoded once per process (``candidates_load``), named by its random id: never
served after it was replaced, and the explanations on its cards are translated once per language."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import translation

from accounts.tests.factories import UserFactory
from recs import keys
from recs.redis import client as recs_client
from recs.selectors import candidates
from recs.selectors.feed import why_text
from recs.tests.support import notes_of

pytestmark = pytest.mark.django_db


def _store(reader: str, note_ids: list[int]) -> None:
    built = candidates.candidates_build(viewer=None, reader=reader, client=recs_client())
    built.ranked = [c for c in built.ranked if c.note_id in note_ids]
    candidates.candidates_store(reader=reader, built=built, client=recs_client())


def test_the_next_page_reuses_the_decoded_list_and_a_replaced_list_is_read_again():
    notes = notes_of("a", 6)
    reader = "c:decoded"
    with time_machine.travel("2026-12-01 12:00:00+00:00", tick=False):  # both lists built at one instant
        _store(reader, [n.pk for n in notes[:3]])
        first, _opens, _seen = candidates.candidates_load(reader=reader, client=recs_client())
        again, _opens, _seen = candidates.candidates_load(reader=reader, client=recs_client())
        assert again is first  # not read nor decoded a second time
        assert set(first.ids) == {n.pk for n in notes[:3]}
        # when the list is rebuilt (the same built-at time, as under a fixed clock)
        _store(reader, [n.pk for n in notes[3:]])
        fresh, _opens, _seen = candidates.candidates_load(reader=reader, client=recs_client())
    # then the new list is read, never the one decoded before
    assert fresh is not first and set(fresh.ids) == {n.pk for n in notes[3:]}


def test_a_list_stored_without_an_id_is_still_read_every_time():
    notes = notes_of("a", 3)
    reader = "c:old-format"
    _store(reader, [n.pk for n in notes])
    recs_client().hdel(keys.candidates_meta(reader), "_id")  # stored by the code before the ids
    one, _o, _s = candidates.candidates_load(reader=reader, client=recs_client())
    two, _o, _s = candidates.candidates_load(reader=reader, client=recs_client())
    assert one is not two and one.ids == two.ids


def test_an_expired_list_is_gone_even_if_this_process_decoded_it():
    notes = notes_of("a", 3)
    reader = "c:expired"
    _store(reader, [n.pk for n in notes])
    assert candidates.candidates_load(reader=reader, client=recs_client())[0] is not None
    recs_client().delete(keys.candidates(reader), keys.candidates_meta(reader))
    assert candidates.candidates_load(reader=reader, client=recs_client())[0] is None


def test_explanations_follow_the_language_of_each_page():
    UserFactory()
    english = why_text("topic", "collect:防晒")
    with translation.override("zh-hans"):
        chinese = why_text("topic", "collect:防晒")
    assert english == "Because you collected #防晒"
    assert chinese == "因为你收藏过 #防晒"
    assert why_text("topic", "collect:防晒") == english  # back in English after the Chinese page
