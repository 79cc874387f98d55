"""GET /api/me/stats/: the page's figures as JSON, the signed-in writer's only, a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.selectors.creator_stats import METRICS, NOTE_METRICS
from community.tests.factories import NoteFactory
from community.tests.support.stats import busy_writer, recount

URL = "/api/me/stats/"


def _as_json(value) -> object:
    return f"{value:.2f}" if isinstance(value, Decimal) else value


@pytest.mark.django_db
def test_anonymous_callers_are_refused(api):
    response = api.get(URL)
    assert response.status_code == 403
    assert "stats" not in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("days", [7, 30])
def test_the_figures_equal_a_recount_of_the_raw_rows(api, stats_world, days):
    writer = stats_world["writer"]
    api.force_authenticate(writer)

    body = api.get(URL, {"days": days}).json()

    expected = recount(writer, days=days, now=timezone.now())
    assert body["days"] == days
    assert body["has_notes"] is True
    assert body["totals"] == {m: _as_json(expected["totals"][m]) for m in METRICS}
    assert [row["day"] for row in body["daily"]] == [d.isoformat() for d in expected["days"]]
    for row in body["daily"]:
        day = dt.date.fromisoformat(row["day"])
        for metric in METRICS:
            zero = Decimal("0.00") if metric == "revenue" else 0
            assert row[metric] == _as_json(expected["daily"][metric].get(day, zero)), (day, metric)
    assert body["first_day"] == expected["days"][0].isoformat()
    assert body["last_day"] == expected["days"][-1].isoformat()
    assert {row["id"] for row in body["notes"]} == set(expected["per_note"])
    for row in body["notes"]:
        assert {m: row[m] for m in NOTE_METRICS} == {
            m: _as_json(v) for m, v in expected["per_note"][row["id"]].items()
        }


@pytest.mark.django_db
def test_the_default_window_is_7_days_and_others_are_a_clear_400(api):
    api.force_authenticate(UserFactory())

    assert api.get(URL).json()["days"] == 7
    assert api.get(URL, {"days": ""}).json()["days"] == 7  # an empty field is no choice, as on the page
    for bad in ("14", "week", "0", "7.5"):
        response = api.get(URL, {"days": bad})
        assert response.status_code == 400, bad
        assert "7 or 30 days" in response.json()["days"][0]


@pytest.mark.django_db
def test_a_writer_without_notes_gets_zeros_and_no_rows(api):
    api.force_authenticate(UserFactory())

    body = api.get(URL, {"days": 30}).json()

    assert body["has_notes"] is False
    assert body["notes"] == []
    assert len(body["daily"]) == 30
    assert body["totals"]["revenue"] == "0.00"
    assert all(body["totals"][m] == 0 for m in METRICS if m != "revenue")


@pytest.mark.django_db
def test_only_the_callers_own_notes_show(api, stats_world):
    api.force_authenticate(stats_world["other"])

    body = api.get(URL, {"days": 30}).json()

    assert {row["id"] for row in body["notes"]}.isdisjoint({n.pk for n in stats_world["notes"]})


@pytest.mark.django_db
def test_the_api_runs_a_fixed_number_of_queries(api, django_assert_num_queries):
    now = timezone.now()
    for notes in (1, 8):
        api.force_authenticate(busy_writer(notes, now))
        with django_assert_num_queries(8):
            body = api.get(URL, {"days": 30}).json()
        assert len(body["notes"]) == notes


def test_the_endpoint_is_documented_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    operation = schema["paths"]["/api/me/stats/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["days", "note"]
    assert sorted(operation["parameters"][0]["schema"]["enum"]) == [7, 30]
    output = schema["components"]["schemas"]["CreatorStatsOutput"]["properties"]
    assert {"totals", "daily", "notes", "days", "first_day", "last_day"} <= set(output)


@pytest.mark.django_db
def test_one_note_of_ones_own(api, stats_world):
    writer, note = stats_world["writer"], stats_world["notes"][0]
    api.force_authenticate(writer)

    body = api.get(URL, {"days": 30, "note": note.pk}).json()

    expected = recount(writer, days=30, now=timezone.now(), note_id=note.pk)
    assert body["note"] == {"id": note.pk, "title": note.title}
    assert body["totals"]["followers"] is None
    assert body["totals"] == {m: _as_json(expected["totals"][m]) for m in METRICS}
    assert all(row["followers"] is None for row in body["daily"])
    assert [row["id"] for row in body["notes"]] == [note.pk]
    assert api.get(URL).json()["note"] is None


@pytest.mark.django_db
def test_another_writers_note_is_404_and_a_malformed_one_400(api, stats_world):
    theirs = NoteFactory(author=stats_world["other"], images=0)
    api.force_authenticate(stats_world["writer"])

    response = api.get(URL, {"note": theirs.pk})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert theirs.title not in response.content.decode()
    for bad in ("abc", "0", "-1", "1.5", str(2**70)):
        assert api.get(URL, {"note": bad}).status_code == 400, bad
