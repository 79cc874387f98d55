"""Input no page or endpoint can mean gets a 400 (or, in the admin, a message) and changes nothing:
JSON nested past the decoder's depth, a NUL character in a query or form, admin actions on rows that are
not ids. Each was a 500."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/auth/token/", "/api/mall/cart/", "/api/mall/checkout/", "/api/notes/"]
)
def test_json_nested_past_the_decoders_depth_is_a_400_on_any_endpoint(path):
    from rest_framework.test import APIClient

    from accounts.tests.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory())
    body = "[" * 50_000 + "]" * 50_000
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/search/", {"q": "cream\x00"}),
        ("get", "/mall/products/", {"brand": "\x00"}),
        ("get", "/api/search/notes/", {"q": "a\x00b"}),
        ("get", "/admin/mall/order/", {"state__exact": "\x00"}),
        ("post", "/accounts/login/", {"username": "a\x00", "password": "x"}),
    ],
)
def test_a_nul_character_anywhere_in_a_query_or_form_is_a_400_not_a_500(admin_client, method, path, data):
    response = getattr(admin_client, method)(path, data)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.django_db
def test_an_admin_action_on_rows_that_are_not_ids_does_nothing_and_says_so(admin_client):
    from mall.models import Order

    response = admin_client.post(
        "/admin/mall/order/", {"action": "delete_selected", "_selected_action": ["1", "abc"]}, follow=True
    )
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()
    assert Order.objects.count() == 0
