"""Creator statistics are the signed-in writer's own: another writer's note is not found, never listed,
anonymous visitors are asked to sign in, and the note parameter is documented."""

from __future__ import annotations

import pytest

from community.tests.support.hostile import (
    api_client,
    page_client,
    who_is,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["other", "staff"])
def test_statistics_of_another_writers_note_are_not_found(writer_world, who):
    page = page_client(who_is(writer_world, who))
    api = api_client(who_is(writer_world, who))
    for note in (writer_world.note, writer_world.private, writer_world.hidden):
        response = page.get(f"/me/stats/?note={note.pk}")
        assert response.status_code == 404
        assert note.title not in response.content.decode()
        response = api.get(f"/api/me/stats/?note={note.pk}")
        assert response.status_code == 404
        assert note.title not in response.content.decode()


def test_statistics_never_list_another_writers_notes(writer_world):
    response = api_client(writer_world.other).get("/api/me/stats/?days=30")
    assert response.status_code == 200
    body = response.json()
    assert body["has_notes"] is False and body["notes"] == []
    page = page_client(writer_world.other).get("/me/stats/?days=30").content.decode()
    for note in (writer_world.note, writer_world.private, writer_world.hidden):
        assert note.title not in page


def test_statistics_anonymous_is_asked_to_sign_in(writer_world):
    assert api_client().get("/api/me/stats/").status_code == 403
    response = page_client().get("/me/stats/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_statistics_note_parameter_is_in_the_openapi_schema(writer_world):
    schema = api_client().get("/api/schema/?format=json").json()
    parameters = {p["name"] for p in schema["paths"]["/api/me/stats/"]["get"]["parameters"]}
    assert {"days", "note"} <= parameters
