"""The operators' demand API: staff only, the admin view's figures, a clear 400 on a bad period, a
fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.selectors.demand import demand_overview
from community.tests.support.demand import asking_note, demand_rows
from community.tests.support.hostile import api_client, page_client

pytestmark = pytest.mark.django_db

URL = "api-operator-demand"


def test_anonymous_callers_and_shoppers_are_refused(client, shelves):
    assert client.get(reverse(URL)).status_code == 403
    client.force_login(UserFactory())
    response = client.get(reverse(URL))
    assert response.status_code == 403
    assert "products" not in response.json()


def test_staff_get_the_same_figures_as_the_admin_view(client, shelves):
    asking_note(["sunscreen"], asks=2, title="Best sunscreen")
    client.force_login(UserFactory(is_staff=True))

    body = client.get(reverse(URL), {"period": 7}).json()

    expected = demand_overview(period=7)
    assert body["period"] == 7
    assert [
        (p["name"], p["mentions"], p["card_clicks"], p["units_sold"], p["available"], p["hint"])
        for p in body["products"]
    ] == [(p.name, p.mentions, p.card_clicks, p.units_sold, p.available, p.hint) for p in expected.products]
    assert body["products"][0]["hint"] == "restock" and body["products"][1]["hint"] == "flash_sale"
    assert [(b["name"], b["score"], b["available"]) for b in body["brands"]] == [
        (b.name, b.score, b.available) for b in expected.brands
    ]
    topic = body["unsold_topics"][0]
    assert (topic["name"], topic["asks"]) == ("sunscreen", 2)
    assert topic["samples"][0]["title"] == "Best sunscreen"


@pytest.mark.parametrize("period", ["14", "x", "0"])
def test_a_bad_period_is_a_400(client, period):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse(URL), {"period": period})
    assert response.status_code == 400 and response.json()["field"] == "period"


@pytest.mark.parametrize("count", [2, 10])
def test_the_demand_api_costs_a_fixed_number_of_queries(count, client, django_assert_num_queries):
    demand_rows(count)
    client.force_login(UserFactory(is_staff=True))
    with django_assert_num_queries(5):  # the user, and the overview's four
        body = client.get(reverse(URL)).json()
    assert len(body["products"]) == len(body["unsold_topics"]) == count


def test_operator_demand_is_for_staff_only(writer_world):
    assert api_client().get("/api/operators/demand/").status_code == 403
    assert api_client(writer_world.writer).get("/api/operators/demand/").status_code == 403
    assert api_client(writer_world.staff).get("/api/operators/demand/").status_code == 200
    response = page_client(writer_world.writer).get("/admin/community/productbuzz/")
    assert response.status_code == 302
    assert page_client(writer_world.staff).get("/admin/community/productbuzz/").status_code == 200
