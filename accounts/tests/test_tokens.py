"""Tokens end. The attacker copied a victim's API token (a shared laptop, a leaked log); the victim changes
their password, or the token simply gets old."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-much-longer-new-passphrase-42"


def token_for(user) -> str:
    response = APIClient().post("/api/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()["token"]


REFUSED = 403  # DRF answers 403, not 401, when session authentication comes first


def me_with(token: str) -> int:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/me/")
    if response.status_code != 200:
        assert "token" in response.json()["detail"].lower()  # refused for its token, not for another reason
    return response.status_code


def test_a_token_works_until_it_is_api_token_days_old(settings):
    settings.API_TOKEN_DAYS = 30
    user = UserFactory()
    token = token_for(user)
    assert me_with(token) == 200

    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        assert me_with(token) == REFUSED
        fresh = APIClient().post("/api/auth/token/", {"username": user.username, "password": PASSWORD})
        assert fresh.status_code == 200 and fresh.json()["token"] != token
        assert me_with(fresh.json()["token"]) == 200


def test_changing_the_password_revokes_the_token_and_other_sessions(client):
    victim = UserFactory()
    stolen = token_for(victim)
    other_device = APIClient()
    other_device.force_login(victim)  # a browser session somewhere else
    client.force_login(victim)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response.url == reverse("accounts:me")
    assert me_with(stolen) == REFUSED
    assert not Token.objects.filter(user=victim).exists()
    assert other_device.get("/api/me/").status_code == 403
    assert client.get(reverse("accounts:me")).status_code == 200  # the page that changed it stays in


def test_an_operator_resetting_the_password_in_admin_revokes_the_token_too():
    victim = UserFactory()
    stolen = token_for(victim)

    victim.set_password(NEW_PASSWORD)
    victim.save()

    assert me_with(stolen) == REFUSED


def test_other_saves_keep_the_token():
    user = UserFactory()
    token = token_for(user)

    user.nickname = "renamed"
    user.save()

    assert me_with(token) == 200


def test_a_wrong_old_password_changes_nothing(client):
    user = UserFactory()
    token = token_for(user)
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 400
    assert me_with(token) == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_password_page_needs_a_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_a_phone_number_in_use_by_someone_else_reveals_nothing(client):
    UserFactory(phone="13800138000")
    stranger = UserFactory()
    client.force_login(stranger)

    response = client.post(
        reverse("accounts:profile_edit"), {"nickname": "stranger", "bio": "", "phone": "13800138000"}
    )

    assert response.status_code == 302  # saved, like any other number: no "already registered"
    stranger.refresh_from_db()
    assert stranger.phone == "13800138000"
