"""An identity's real name is checked as a name: what a customs declaration can carry. Written as the user
who types something else into the name field (an emoji, markup, digits, one character, a paragraph, two
scripts at once) through the page, the API and the dispute form; then what still works."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.idnumbers import real_name_validate
from accounts.models import CustomsIdentity, IdentityDispute
from accounts.realname.sandbox import SANDBOX_IDENTITIES
from accounts.tests.factories import UserFactory, valid_id_number

pytestmark = pytest.mark.django_db

NOT_NAMES = [
    "张三😀",
    "<script>alert(1)</script>",
    "张<b>三</b>",
    "张三3",
    "Anna Maria 2",
    "张",
    "A",
    "张" * 16,
    "张三Anna",
    "Анна Мария",  # Cyrillic letters that look Latin
    "Anna_Maria",
    "Anna;DROP",
]
NAMES = [
    "张三",
    "欧阳娜娜",
    "Anna Maria Schmidt",
    "阿依古丽·买买提",
    "O'Brien",
    "Jean-Luc Picard",
    "Zoë Müller",
]


@pytest.mark.parametrize("name", NOT_NAMES)
def test_the_page_refuses_what_is_not_a_name_says_why_and_stores_nothing(client, name):
    client.force_login(UserFactory())
    response = client.post(
        reverse("accounts:identity_new"), {"real_name": name, "id_number": valid_id_number(3)}
    )
    assert response.status_code == 400
    assert "exactly as on the ID card" in response.content.decode()
    assert not CustomsIdentity.objects.exists()


@pytest.mark.parametrize("name", NOT_NAMES)
def test_the_api_refuses_what_is_not_a_name_on_the_name_field(name):
    api = APIClient()
    api.force_authenticate(UserFactory())
    response = api.post(
        "/api/identities/", {"real_name": name, "id_number": valid_id_number(4)}, format="json"
    )
    assert response.status_code == 400
    assert "real_name" in str(response.json())
    assert not CustomsIdentity.objects.exists()


def test_a_dispute_is_not_a_way_around_the_name_check():
    owner = UserFactory()
    api = APIClient()
    api.force_authenticate(owner)
    number = valid_id_number(5)
    assert (
        api.post("/api/identities/", {"real_name": "张三", "id_number": number}, format="json").status_code
        == 201
    )
    api.force_authenticate(UserFactory())
    response = api.post(
        "/api/identities/disputes/", {"real_name": "<img src=x>", "id_number": number}, format="json"
    )
    assert response.status_code == 400
    assert not IdentityDispute.objects.exists()


@pytest.mark.parametrize("name", NAMES)
def test_real_names_in_either_script_are_accepted_and_verified(client, name):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:identity_new"), {"real_name": name, "id_number": valid_id_number(6)}
    )
    assert response.status_code == 302
    assert user.customs_identities.get().real_name == name


def test_a_name_is_kept_as_the_card_prints_it():
    assert real_name_validate("  Anna   Maria  Schmidt ") == "Anna Maria Schmidt"
    assert real_name_validate("阿依古丽・买买提") == "阿依古丽·买买提"  # the IME's dot is the card's dot


def test_the_sandbox_demo_identities_are_still_names_and_verify():
    for number, name in SANDBOX_IDENTITIES.items():
        assert real_name_validate(name) == name
        api = APIClient()
        api.force_authenticate(UserFactory())
        response = api.post("/api/identities/", {"real_name": name, "id_number": number}, format="json")
        assert response.status_code == 201, response.content
