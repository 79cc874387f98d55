"""Lockout after repeated failures, and the full ID number never leaving the server."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, CustomsIdentityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_sixth_wrong_password_on_the_site_locks_out_even_the_right_one(client):
    user = UserFactory()
    for _ in range(5):
        response = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()
    locked = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    assert locked.status_code == 429
    assert "15 minutes" in locked.content.decode()
    right = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_ip(client):
    user = UserFactory()
    for _ in range(6):
        client.post(
            reverse("accounts:login"),
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )
    other_ip = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert other_ip.status_code == 302


def test_admin_login_locks_out(client):
    staff = UserFactory(is_staff=True)
    for _ in range(6):
        response = client.post("/admin/login/", {"username": staff.username, "password": "wrong"})
    assert response.status_code == 429
    assert client.post("/admin/login/", {"username": staff.username, "password": PASSWORD}).status_code == 429


def test_api_token_locks_out():
    user = UserFactory()
    client = APIClient()
    codes = [
        client.post("/api/auth/token/", {"username": user.username, "password": "wrong"}).status_code
        for _ in range(6)
    ]
    assert codes == [400] * 5 + [429]
    locked = client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"


def test_full_id_number_appears_on_no_page_api_or_admin_screen(client):
    owner = UserFactory(is_staff=True, is_superuser=True)
    identity = CustomsIdentityFactory(user=owner, is_default=True)
    number = identity.id_number
    client.force_login(owner)
    api = APIClient()
    api.force_authenticate(owner)
    pages = [
        client.get(reverse("accounts:me")),
        client.get(reverse("accounts:identities")),
        client.get("/admin/accounts/customsidentity/"),
        client.get(f"/admin/accounts/customsidentity/{identity.pk}/change/"),
        client.get(f"/admin/accounts/user/{owner.pk}/change/"),
        client.get("/admin/accounts/user/"),
        api.get("/api/identities/"),
        api.get(f"/api/identities/{identity.pk}/"),
        api.get("/api/me/"),
    ]
    for response in pages:
        assert response.status_code == 200, response.request
        body = response.content.decode()
        assert number not in body
        assert number[:6] + number[6:14] not in body
    assert identity.masked_number in pages[1].content.decode()
    assert identity.masked_number in pages[2].content.decode()
