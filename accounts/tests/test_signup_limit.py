"""Sign-up is rate limited per client address: a script cannot open accounts by the hundred (each one a
fresh flash-sale budget, a fresh set of likes), while people on other addresses sign up as usual."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def sign_up(client, n: int, *, address: str):
    return client.post(
        reverse("accounts:signup"),
        {"username": f"farm{n:03d}", "password": "a-long-enough-passphrase-1"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


def test_one_address_opens_only_so_many_accounts_an_hour(client, settings):
    settings.PROXY_COUNT = 1
    settings.SIGNUPS_PER_ADDRESS_PER_HOUR = 3
    codes = []
    for n in range(5):
        client.cookies.clear()
        codes.append(sign_up(client, n, address="198.51.100.9").status_code)

    assert codes == [302, 302, 302, 429, 429]
    assert User.objects.filter(username__startswith="farm").count() == 3
    client.cookies.clear()
    refused = sign_up(client, 9, address="198.51.100.9")
    assert "Too many new accounts" in refused.content.decode()
    # Someone else, behind the same proxy but on their own address, is not affected.
    assert sign_up(client, 10, address="203.0.113.77").status_code == 302
