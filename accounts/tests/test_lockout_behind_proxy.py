"""Lockout is not a weapon. Behind the documented proxy every request arrives from the proxy's address;
the attacker floods wrong passwords on the victim's username, then the victim logs in from home."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
ATTACKER, VICTIM = "198.51.100.7", "203.0.113.5"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.PROXY_COUNT = 1


def login(client, username, password, *, forwarded):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_a_wrong_password_flood_locks_the_attacker_not_the_owner(client):
    victim = UserFactory()
    for _ in range(6):
        login(client, victim.username, "wrong", forwarded=ATTACKER)

    assert login(client, victim.username, PASSWORD, forwarded=ATTACKER).status_code == 429
    client.cookies.clear()
    assert login(client, victim.username, PASSWORD, forwarded=VICTIM).status_code == 302


def test_rotating_a_forged_left_part_does_not_escape_the_lockout(client):
    victim = UserFactory()
    codes = [
        login(client, victim.username, "wrong", forwarded=f"192.0.2.{n}, {ATTACKER}").status_code
        for n in range(8)
    ]

    assert codes[:5] == [200] * 5 and codes[5:] == [429] * 3


def test_api_token_lockout_reads_the_same_address():
    from rest_framework.test import APIClient

    victim = UserFactory()
    api = APIClient()
    for _ in range(6):
        api.post(
            "/api/auth/token/",
            {"username": victim.username, "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )
    mine = api.post(
        "/api/auth/token/",
        {"username": victim.username, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=VICTIM,
    )
    assert mine.status_code == 200 and mine.json()["token"]
