"""The evaluation's weights (``recs_evaluate --weights/--tune``) and the stored list a page reads lazily."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management.base import CommandError

from accounts.tests.factories import UserFactory
from community.models import Note
from community.tests.factories import like
from recs import keys, ranking
from recs.management.commands.recs_evaluate import weights_parse
from recs.redis import client as recs_client
from recs.selectors.candidates import StoredFacts, candidates_build, candidates_load, candidates_store
from recs.tests.support import notes_of


def test_weights_override_the_blend_for_one_run_only():
    before = dict(ranking.WEIGHTS)
    weights = weights_parse("topic=1, hot=0.5")
    assert weights == {**before, ranking.TOPIC: 1.0, ranking.HOT: 0.5}
    assert before == ranking.WEIGHTS  # the module's weights are untouched
    assert weights_parse(None) == before
    # the blend follows the weights it is given
    lists = [[ranking.Candidate(1, 1.0, ranking.TOPIC)], [ranking.Candidate(2, 1.0, ranking.HOT)]]
    assert [c.note_id for c in ranking.blend(lists)][0] == 1
    assert [c.note_id for c in ranking.blend(lists, {**before, ranking.HOT: 9.0})][0] == 2


@pytest.mark.parametrize("bad", ["words2=1", "topic", "topic=x", "topic=-1", "topic=nan", "topic=inf", "=1"])
def test_bad_weights_are_a_clear_error(bad):
    with pytest.raises(CommandError, match="--weights"):
        weights_parse(bad)


@pytest.mark.django_db
def test_a_stored_list_gives_the_same_page_as_the_list_just_built():
    for topic in "abcdef":
        notes_of(topic, 10, age=timedelta(days=3))
    notes_of("z", 3)  # fresh, of a topic the reader has not engaged with: the exploration's
    reader = UserFactory()
    like(reader, Note.objects.order_by("id").first())
    client = recs_client()
    built = candidates_build(viewer=reader, reader=f"u:{reader.pk}", client=client)
    candidates_store(reader=f"u:{reader.pk}", built=built, client=client)
    loaded, _opens, _seen = candidates_load(reader=f"u:{reader.pk}", client=client)
    assert isinstance(loaded.facts, StoredFacts)
    assert loaded.ids == built.ids and loaded.explore_ids == built.explore_ids and built.explore_ids
    assert loaded.sponsored_ids == built.sponsored_ids
    fresh = ranking.page_pick(ranked=built.ids, facts=built.facts, size=10, exclude=set())
    stored = ranking.page_pick(
        ranked=loaded.ids, facts=loaded.facts, size=10, exclude=set(), explore_ids=loaded.explore_ids
    )
    assert stored == fresh and len(stored) == 10
    assert all(loaded.facts[n] == built.facts[n] for n in stored)
    # a page decodes the facts of the notes it looks at, not the whole list
    assert len(loaded.facts._decoded) < len(built.ids)


@pytest.mark.django_db
def test_a_list_stored_by_an_older_release_or_tampered_with_is_not_served_as_is():
    notes_of("a", 5)
    client = recs_client()
    reader = "c:old"
    # an older release stored no exploration ids: the list counts as missing (rebuilt once)
    client.zadd(keys.candidates(reader), {"1": 1.0})
    client.hset(keys.candidates_meta(reader), mapping={"_built": "1", "_opens": "0", "1": "5||hot|0|"})
    assert candidates_load(reader=reader, client=client)[0] is None
    # a garbled fact is skipped by the page rules, never a 500
    client.hset(keys.candidates_meta(reader), mapping={"_explore": "", "2": "not|a|fact"})
    client.zadd(keys.candidates(reader), {"2": 0.5})
    loaded, _opens, _seen = candidates_load(reader=reader, client=client)
    assert loaded.ids == [1, 2] and 2 not in loaded.facts
    assert ranking.page_pick(ranked=loaded.ids, facts=loaded.facts, size=5, exclude=set()) == [1]
