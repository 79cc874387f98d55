"""A customs identity belongs to one person, and only after verification. Written as the attacker: they know
a stranger's name and ID number (a leaked list), and register it on their own accounts to see the victim's
quota, to spend it, or to block it with unpaid orders. Then: what the victim can still do."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.idnumbers import id_check_digit
from accounts.models import CustomsIdentity, IdentityDispute
from accounts.realname.sandbox import SANDBOX_IDENTITIES
from accounts.tests.factories import AddressFactory, UserFactory, valid_id_number
from core.errors import Conflict, DomainError, RateLimited
from mall.models import Order
from mall.services.orders import order_expire
from mall.services.pricing import quota_left, quota_left_for
from mall.tests.factories import buyer, shop_product
from tests.support.orders import place_order

pytestmark = pytest.mark.django_db


def outside_the_test_range() -> str:
    first17 = "11010119800101001"  # a well-formed number the sandbox has no record of
    return first17 + id_check_digit(first17)


def test_the_sandbox_verifies_only_its_test_identities():
    user = UserFactory()
    with pytest.raises(ValidationError, match="could not be verified"):
        services.identity_add(user=user, real_name="张三", id_number=outside_the_test_range())
    number, name = next(iter(SANDBOX_IDENTITIES.items()))
    with pytest.raises(ValidationError, match="could not be verified"):
        services.identity_add(user=user, real_name="冒名者", id_number=number)  # a named identity, wrong name
    assert not CustomsIdentity.objects.exists()

    identity = services.identity_add(user=user, real_name=name, id_number=number)
    assert identity.is_verified and identity.is_default


def test_a_stranger_cannot_take_a_verified_number_and_is_offered_a_dispute(client):
    victim, _address, victim_identity = buyer()
    attacker = UserFactory()

    with pytest.raises(services.IdentityClaimed, match="already verified on another account"):
        services.identity_add(user=attacker, real_name="张三", id_number=victim_identity.id_number)
    client.force_login(attacker)
    page = client.post(
        reverse("accounts:identity_new"), {"real_name": "张三", "id_number": victim_identity.id_number}
    )
    assert page.status_code == 409
    html = page.content.decode()
    assert reverse("accounts:identity_dispute") in html and victim_identity.id_number not in html
    assert not CustomsIdentity.objects.filter(user=attacker).exists()
    # The victim still buys with it, and sees their own quota.
    order = place_order(shopper=(victim, victim.addresses.get(), victim_identity))
    assert order.buyer_id_hash == victim_identity.id_number_hash
    assert quota_left_for(viewer=victim, identity=victim_identity) == Decimal("26000.00") - order.total


def test_the_api_answers_a_claimed_number_with_a_code_and_takes_a_dispute():
    _victim, _address, victim_identity = buyer()
    api = APIClient()
    api.force_authenticate(UserFactory())

    added = api.post(
        "/api/identities/", {"real_name": "张三", "id_number": victim_identity.id_number}, format="json"
    )
    assert (added.status_code, added.json()["code"]) == (409, "identity_claimed")
    disputed = api.post(
        "/api/identities/disputes/",
        {"real_name": "张三", "id_number": victim_identity.id_number, "message": "Call me on 138..."},
        format="json",
    )
    assert disputed.status_code == 201 and disputed.json()["state"] == "open"
    assert victim_identity.id_number not in disputed.content.decode()
    assert IdentityDispute.objects.get().id_number == victim_identity.id_number


def test_an_upheld_dispute_gives_the_number_to_its_owner_and_takes_it_from_the_squatter():
    # The squatter verified first (before this rule, or with the owner's card in hand).
    squatter, squatter_address, squatted = buyer()
    owner = UserFactory()
    AddressFactory(user=owner, is_default=True)
    operator = UserFactory(is_staff=True)
    dispute = services.identity_dispute_open(user=owner, real_name="张三", id_number=squatted.id_number)
    assert (
        services.identity_dispute_open(user=owner, real_name="张三", id_number=squatted.id_number) == dispute
    )

    services.identity_dispute_decide(dispute=dispute, operator=operator, uphold=True)

    squatted.refresh_from_db()
    assert not squatted.is_verified
    # The squatter can no longer buy with it, nor see its quota.
    _p, (sku,) = shop_product(stock=5)
    with pytest.raises(DomainError, match="not verified"):
        place_order(shopper=(squatter, squatter_address, squatted), sku=sku)
    assert quota_left_for(viewer=squatter, identity=squatted) is None
    # The owner verifies it now.
    mine = services.identity_add(user=owner, real_name="张三", id_number=squatted.id_number)
    assert mine.is_verified
    with pytest.raises(Conflict, match="already decided"):
        services.identity_dispute_decide(dispute=dispute, operator=operator, uphold=False)


def test_the_quota_is_shown_only_to_the_verified_owner(client):
    victim, _address, victim_identity = buyer()
    attacker = UserFactory()

    assert quota_left_for(viewer=attacker, identity=victim_identity) is None
    assert quota_left_for(viewer=victim, identity=victim_identity) == Decimal("26000.00")
    # On the checkout page the attacker has no identity to pick, so no quota figure at all.
    _p, (sku,) = shop_product(stock=5)
    client.force_login(attacker)
    AddressFactory(user=attacker, is_default=True)
    from mall.tests.factories import cart_with

    cart_with(user=attacker, sku=sku)
    page = client.get(reverse("mall:checkout"), {"identity": victim_identity.pk}).content.decode()
    assert 'data-testid="quota-left"' not in page


def test_unpaid_orders_release_the_quota_when_they_expire(settings):
    # Only the verified owner can place orders on a number now; and what they leave unpaid gives the quota
    # back at its deadline (the expired order is cancelled, which QUOTA_STATES does not count).
    settings.UNPAID_ORDERS_PER_IDENTITY = 2
    user, address, identity = buyer()
    _p, (big,) = shop_product(prices=("4000.00",), stock=10)
    orders = [place_order(shopper=(user, address, identity), sku=big) for _ in range(2)]
    left_while_unpaid = quota_left(id_number=identity.id_number)
    assert left_while_unpaid == Decimal("26000.00") - sum(o.total for o in orders)
    with pytest.raises(Conflict, match="waiting for payment"):
        place_order(shopper=(user, address, identity), sku=big)

    Order.objects.filter(pk__in=[o.pk for o in orders]).update(
        payment_deadline=timezone.now() - timedelta(seconds=1)
    )
    assert all(order_expire(order_id=o.pk) for o in orders)

    assert quota_left(id_number=identity.id_number) == Decimal("26000.00")
    assert place_order(shopper=(user, address, identity), sku=big).state == Order.State.PENDING_PAYMENT


def test_verification_attempts_are_rationed_per_account(settings):
    settings.REALNAME_ATTEMPTS_PER_DAY = 2
    guesser = UserFactory()
    for _ in range(2):
        with pytest.raises(ValidationError):
            services.identity_add(user=guesser, real_name="张三", id_number=outside_the_test_range())

    with pytest.raises(RateLimited):
        services.identity_add(user=guesser, real_name="张三", id_number=valid_id_number(3))
    assert not CustomsIdentity.objects.filter(user=guesser).exists()
    # Another account is not held back by the guesser's budget.
    assert services.identity_add(
        user=UserFactory(), real_name="张三", id_number=valid_id_number(3)
    ).is_verified
