"""The statistics page: the signed-in writer's own figures, charts as inline SVG, 7 or 30 days, a fixed
number of queries, and a link to it on the writer's own profile only."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.selectors.creator_stats import METRICS
from community.tests.factories import NoteFactory
from community.tests.support.stats import busy_writer, like, order, recount, ref

URL = "/me/stats/"


def _total(html: str, metric: str) -> str:
    found = re.search(rf'data-testid="total-{metric}-value">([^<]*)<', html)
    assert found, metric
    return found.group(1)


def _as_page_figure(value) -> str:
    return f"¥{value:,}" if isinstance(value, Decimal) else f"{value:,}"


def test_the_url_is_me_stats():
    assert reverse("community:creator_stats") == URL


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("days", [7, 30])
def test_the_page_shows_the_writers_own_totals_charts_and_notes(client, stats_world, days):
    writer = stats_world["writer"]
    client.force_login(writer)

    response = client.get(URL, {"days": days})

    assert response.status_code == 200
    html = response.content.decode()
    expected = recount(writer, days=days, now=timezone.now())
    for metric in METRICS:
        assert _total(html, metric) == _as_page_figure(expected["totals"][metric]), metric
    # Eight accessible charts, each with its own figures in a hidden table.
    charts = re.findall(r'<svg class="stats-chart-svg"[^>]*>', html)
    assert len(charts) == len(METRICS)
    assert all('role="img"' in tag for tag in charts)
    for metric in METRICS:
        assert f'data-testid="chart-stats-{metric}"' in html
        assert f'aria-labelledby="stats-{metric}-title stats-{metric}-desc"' in html
    assert html.count('<table class="visually-hidden">') == len(METRICS)
    rows = re.findall(r'data-testid="stats-note" data-note-id="(\d+)"', html)
    assert {int(pk) for pk in rows} == {n.pk for n in stats_world["notes"]}
    assert f'aria-current="page" data-testid="window-{days}"' in html
    assert "<script" not in html[html.index('data-testid="creator-stats"') :]  # charts need no JavaScript


@pytest.mark.django_db
def test_another_writer_sees_only_their_own(client, stats_world):
    other = stats_world["other"]
    client.force_login(other)

    html = client.get(URL).content.decode()

    rows = {int(pk) for pk in re.findall(r'data-testid="stats-note" data-note-id="(\d+)"', html)}
    assert rows.isdisjoint({n.pk for n in stats_world["notes"]})
    expected = recount(other, days=7, now=timezone.now())
    assert _total(html, "views") == _as_page_figure(expected["totals"]["views"])
    # Asking for someone else's statistics is not a thing: the page takes no user.
    assert (
        client.get(URL, {"user": stats_world["writer"].pk})
        .content.decode()
        .count(f'data-note-id="{stats_world["notes"][0].pk}"')
        == 0
    )


@pytest.mark.django_db
@pytest.mark.parametrize("days", ["14", "0", "week", "7;30", "３０"])
def test_a_window_other_than_7_or_30_is_a_clear_400(client, days):
    client.force_login(UserFactory())

    response = client.get(URL, {"days": days})

    assert response.status_code == 400
    assert "7 or 30 days" in response.content.decode()


@pytest.mark.django_db
def test_a_writer_without_notes_is_told_how_to_start(client):
    user = UserFactory()
    like(UserFactory(), NoteFactory(images=0), timezone.now())
    client.force_login(user)

    html = client.get(URL).content.decode()

    assert 'data-testid="empty"' in html
    assert "Post your first note" in html
    assert reverse("community:note_new") in html
    assert '<svg class="stats-chart-svg"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("days", [7, 30])
def test_the_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, days):
    now = timezone.now()
    small, big = busy_writer(1, now), busy_writer(8, now)

    # Session, user, then the statistics' eight (per-note table, six metrics, orders with revenue).
    for writer, notes in ((small, 1), (big, 8)):
        client.force_login(writer)
        with django_assert_num_queries(10):
            response = client.get(URL, {"days": days})
        assert response.content.decode().count('data-testid="stats-note"') == notes


@pytest.mark.django_db
def test_revenue_and_orders_show_as_money_and_counts(client):
    writer = UserFactory()
    note = NoteFactory(author=writer, images=0)
    buyer = UserFactory()
    order(buyer, paid_at=timezone.now(), lines=[(ref(note), "1234.50"), (ref(note), "0.50")])
    client.force_login(writer)

    html = client.get(URL).content.decode()

    assert _total(html, "revenue") == "¥1,235.00"
    assert _total(html, "orders") == "1"
    assert '<td data-metric="revenue">¥1,235.00</td>' in html


@pytest.mark.django_db
def test_the_profile_links_to_statistics_for_its_owner_only(client):
    writer, visitor = UserFactory(), UserFactory()
    link = 'data-testid="profile-stats-link"'

    client.force_login(writer)
    assert link in client.get(reverse("community:profile", args=[writer.pk])).content.decode()
    client.force_login(visitor)
    assert link not in client.get(reverse("community:profile", args=[writer.pk])).content.decode()
    client.logout()
    assert link not in client.get(reverse("community:profile", args=[writer.pk])).content.decode()


@pytest.mark.django_db
def test_a_note_of_ones_own_can_be_followed_day_by_day(client, stats_world):
    writer, note = stats_world["writer"], stats_world["notes"][1]
    client.force_login(writer)

    overview = client.get(URL, {"days": 30}).content.decode()
    assert f'href="?days=30&amp;note={note.pk}"' in overview

    html = client.get(URL, {"days": 30, "note": note.pk}).content.decode()

    assert 'data-testid="stats-scope"' in html
    assert note.title in html
    expected = recount(writer, days=30, now=timezone.now(), note_id=note.pk)
    for metric in METRICS:
        if metric == "followers":
            assert 'data-testid="total-followers"' not in html  # people follow writers, not notes
            continue
        assert _total(html, metric) == _as_page_figure(expected["totals"][metric]), metric
    assert len(re.findall(r'<svg class="stats-chart-svg"', html)) == len(METRICS) - 1
    assert 'data-testid="stats-notes"' not in html
    # Switching the window keeps the note.
    assert f'href="?days=7&amp;note={note.pk}"' in html or f'href="?days=7&note={note.pk}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["theirs", "gone", "abc", "-3", "1.0"])
def test_someone_elses_note_or_a_bad_id_is_not_found(client, stats_world, which):
    theirs = NoteFactory(author=stats_world["other"], images=0)
    gone = NoteFactory(author=stats_world["writer"], images=0)
    gone_id = gone.pk
    gone.delete()
    raw = {"theirs": theirs.pk, "gone": gone_id}.get(which, which)
    client.force_login(stats_world["writer"])

    response = client.get(URL, {"note": raw})

    assert response.status_code == 404
    assert theirs.title not in response.content.decode()
    assert "isn" in response.content.decode()  # "That note isn't one of yours ..."
