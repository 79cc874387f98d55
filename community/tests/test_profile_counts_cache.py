"""A profile header's counts are cached per user for a minute (a count over the followers and a sum over
all the writer's notes on every view was the profile page's main SQL cost): a cached view is the same
one query without them, a follow or unfollow shows at once, and with Redis down the counts come from
PostgreSQL in the same one query."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community import keys
from community.models import Note
from community.selectors import profiles as selectors
from community.services.interactions import user_follow, user_unfollow
from community.tests.factories import FeedNoteFactory, follow

pytestmark = pytest.mark.django_db(transaction=True)  # the cache is dropped on commit


def counts(profile) -> tuple[int, int, int]:
    return profile.user.following_count, profile.user.follower_count, profile.user.received_count


def test_a_second_view_reads_the_counts_from_the_cache_in_the_same_one_query(django_assert_num_queries):
    writer, fan = UserFactory.create_batch(2)
    follow(fan, writer)
    note = FeedNoteFactory(author=writer)
    Note.objects.filter(pk=note.pk).update(like_count=4, collect_count=1)
    cache.delete(keys.profile_counts(writer.pk))

    with django_assert_num_queries(1):
        first = selectors.profile_get(user_id=writer.pk, viewer=fan)
    assert cache.get(keys.profile_counts(writer.pk)) == [0, 1, 5]
    with django_assert_num_queries(1) as ctx:
        second = selectors.profile_get(user_id=writer.pk, viewer=fan)

    assert counts(first) == counts(second) == (0, 1, 5)
    assert second.user.viewer_follows is True
    assert "community_follow" in ctx.captured_queries[0]["sql"]  # the viewer's own "following?" only
    assert "SUM" not in ctx.captured_queries[0]["sql"] and "COUNT" not in ctx.captured_queries[0]["sql"]


def test_a_follow_or_unfollow_shows_at_once_on_both_profiles():
    writer, fan = UserFactory.create_batch(2)
    assert counts(selectors.profile_get(user_id=writer.pk, viewer=None))[1] == 0
    assert counts(selectors.profile_get(user_id=fan.pk, viewer=None))[0] == 0

    user_follow(follower=fan, followee=writer)

    assert counts(selectors.profile_get(user_id=writer.pk, viewer=None))[1] == 1
    assert counts(selectors.profile_get(user_id=fan.pk, viewer=None))[0] == 1

    user_unfollow(follower=fan, followee=writer)

    assert counts(selectors.profile_get(user_id=writer.pk, viewer=None))[1] == 0
    assert counts(selectors.profile_get(user_id=fan.pk, viewer=None))[0] == 0


def test_cached_counts_expire_within_a_minute():
    writer = UserFactory()
    selectors.profile_get(user_id=writer.pk, viewer=None)
    ttl = cache.ttl(keys.profile_counts(writer.pk))
    assert 0 < ttl <= selectors.PROFILE_COUNTS_TTL == 60


def test_with_redis_down_the_profile_counts_come_from_the_database(client, settings):
    writer, fan = UserFactory.create_batch(2)
    follow(fan, writer)
    dead = {
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }
    settings.CACHES = {alias: {**config, **dead} for alias, config in settings.CACHES.items()}

    assert counts(selectors.profile_get(user_id=writer.pk, viewer=None)) == (0, 1, 0)
    assert client.get(reverse("community:profile", args=[writer.pk])).status_code == 200
    user_follow(follower=writer, followee=fan)  # the service still answers; the entry would expire
    assert counts(selectors.profile_get(user_id=writer.pk, viewer=None)) == (1, 1, 0)
