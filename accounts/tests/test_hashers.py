"""The password hasher: Argon2id at OWASP's 19 MiB setting, and old 100 MiB hashes upgrade on login."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, identify_hasher
from django.urls import reverse

from accounts.hashers import Argon2idOwaspHasher
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_new_passwords_are_hashed_with_19_mib_two_passes_one_lane():
    user = User.objects.create_user(username="hasher1", password="correct horse battery")
    assert isinstance(get_hasher("default"), Argon2idOwaspHasher)
    params = Argon2idOwaspHasher().params()
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_hash_with_djangos_100_mib_parameters_verifies_and_is_rehashed_on_login(client):
    old = Argon2PasswordHasher().encode("correct horse battery", Argon2PasswordHasher().salt())
    assert "m=102400,t=2,p=8" in old
    user = User.objects.create_user(username="hasher2")
    User.objects.filter(pk=user.pk).update(password=old)

    login = reverse("accounts:login")
    assert client.post(login, {"username": "hasher2", "password": "wrong horse"}).status_code == 200
    assert User.objects.get(pk=user.pk).password == old  # a failed login changes nothing

    assert client.post(login, {"username": "hasher2", "password": "correct horse battery"}).status_code == 302
    upgraded = User.objects.get(pk=user.pk).password
    assert "m=19456,t=2,p=1" in upgraded
    assert isinstance(identify_hasher(upgraded), Argon2idOwaspHasher)
