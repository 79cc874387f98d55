"""The herd's HTTP path touches no database: a buy pass (signed, per buyer and sale) authenticates the
buy request without a session or token lookup, and a worker that knows the sale is sold out answers
before authenticating at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from flashsale.services import admission
from flashsale.tests.harness import buyers_bulk
from flashsale.tests.helpers import live_sale
from mall.tests.factories import buyer

pytestmark = pytest.mark.django_db


def _buy(client, sale, request_id: str, **headers):
    return client.post(
        f"/api/flash/sales/{sale.pk}/buy/", {"request_id": request_id}, format="json", **headers
    )


def test_a_buy_with_a_pass_makes_no_database_query(django_assert_num_queries):
    sale = live_sale(quota=3)
    (uid,) = buyers_bulk(1)  # readiness cached in Redis, as after the sale page was seen
    user_client = APIClient()
    user_client.force_authenticate(User.objects.get(pk=uid))
    buy_pass = user_client.post(f"/api/flash/sales/{sale.pk}/pass/").json()["buy_pass"]

    with django_assert_num_queries(0):
        response = _buy(APIClient(), sale, "with-a-pass-0001", HTTP_X_FLASH_PASS=buy_pass)
    assert response.status_code == 202 and response.json()["status"] == "admitted"
    with django_assert_num_queries(0):
        again = _buy(APIClient(), sale, "with-a-pass-0002", HTTP_X_FLASH_PASS=buy_pass)
    assert again.status_code == 409 and again.json()["status"] == "over_limit"  # the pass names the buyer


def test_a_pass_is_for_one_sale_and_cannot_be_forged_or_outlive_its_time():
    sale, other = live_sale(quota=3), live_sale(quota=3)
    user, *_ = buyer()
    genuine = admission.buy_pass_issue(user_id=user.pk, sale_id=sale.pk, expires_at=sale.ends_at)
    forged = genuine.replace(f"{user.pk}.", f"{user.pk + 1}.", 1)
    expired = admission.buy_pass_issue(
        user_id=user.pk, sale_id=sale.pk, expires_at=timezone.now() - timedelta(seconds=1)
    )
    for target, token in ((other, genuine), (sale, forged), (sale, expired), (sale, "nonsense")):
        response = _buy(APIClient(), target, "refused-pass-01", HTTP_X_FLASH_PASS=token)
        assert response.status_code == 403, (token, response.content)
    assert admission.buy_pass_read(token=genuine, sale_id=sale.pk) == user.pk


def test_a_pass_is_given_to_signed_in_buyers_of_a_published_sale_only():
    sale = live_sale()
    assert APIClient().post(f"/api/flash/sales/{sale.pk}/pass/").status_code == 403
    client = APIClient()
    client.force_authenticate(buyer()[0])
    assert client.post(f"/api/flash/sales/{sale.pk + 1000}/pass/").status_code == 404


def test_a_worker_that_knows_the_sale_is_sold_out_answers_before_authenticating(django_assert_num_queries):
    sale = live_sale(quota=1)
    (first,) = buyers_bulk(1)
    assert admission.flash_buy(
        sale_id=sale.pk, user_id=first, request_id="takes-the-last", ip="1"
    ).status == ("admitted")
    user, *_ = buyer()
    client = APIClient()
    client.force_authenticate(user)
    assert _buy(client, sale, "learns-sold-out").json()["status"] == "sold_out"  # through Redis, once

    with django_assert_num_queries(0):
        response = _buy(APIClient(), sale, "anyone-at-all-1", HTTP_AUTHORIZATION="Token not-even-looked-up")
    assert response.status_code == 409
    assert response.json() == {"request_id": "anyone-at-all-1", "status": "sold_out", "message": "Sold out."}
