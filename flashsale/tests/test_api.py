import pytest
from rest_framework.test import APIClient

from flashsale.services import materialize
from flashsale.tests.helpers import live_sale
from mall.tests.factories import buyer

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    user, *_ = buyer()
    client = APIClient()
    client.force_authenticate(user)
    client.user = user
    return client


def test_list_shows_live_sales_with_remaining_units_and_server_time(api):
    sale = live_sale(quota=7)
    body = APIClient().get("/api/flash/sales/").json()
    assert body["server_time"]
    assert [(s["id"], s["remaining"]) for s in body["sales"]] == [(sale.pk, 7)]


def test_buy_then_poll_until_the_order_exists(api):
    sale = live_sale(quota=2)
    response = api.post(f"/api/flash/sales/{sale.pk}/buy/", {"request_id": "abcdef123456"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "admitted"
    poll = api.get(f"/api/flash/sales/{sale.pk}/requests/abcdef123456/").json()
    assert poll["status"] == "pending"
    materialize.sale_drain(sale_id=sale.pk)
    poll = api.get(f"/api/flash/sales/{sale.pk}/requests/abcdef123456/").json()
    assert poll["status"] == "order" and poll["order_state"] == "pending_payment"


def test_second_request_is_over_the_limit_with_409(api):
    sale = live_sale(quota=2)
    api.post(f"/api/flash/sales/{sale.pk}/buy/", {"request_id": "first-request"}, format="json")
    response = api.post(f"/api/flash/sales/{sale.pk}/buy/", {"request_id": "second-request"}, format="json")
    assert response.status_code == 409 and response.json()["status"] == "over_limit"


def test_bad_request_id_is_a_400(api):
    sale = live_sale()
    response = api.post(f"/api/flash/sales/{sale.pk}/buy/", {"request_id": "<script>"}, format="json")
    assert response.status_code == 400


def test_another_users_request_is_unknown(api):
    sale = live_sale(quota=2)
    api.post(f"/api/flash/sales/{sale.pk}/buy/", {"request_id": "mine-123456"}, format="json")
    materialize.sale_drain(sale_id=sale.pk)
    other = APIClient()
    other.force_authenticate(buyer()[0])
    assert other.get(f"/api/flash/sales/{sale.pk}/requests/mine-123456/").json()["status"] == "unknown"


def test_another_users_request_is_unknown_before_it_becomes_an_order_too(api):
    """Found by the access sweep (tests/sweep/): while a request waited for the materialiser (or had been
    refused as over the limit), anyone who knew its id was told its answer."""
    sale = live_sale(quota=2, per_user_limit=1)
    api.post(f"/api/flash/sales/{sale.pk}/buy/", {"request_id": "waiting-1234"}, format="json")
    api.post(f"/api/flash/sales/{sale.pk}/buy/", {"request_id": "refused-1234"}, format="json")
    other = APIClient()
    other.force_authenticate(buyer()[0])
    for request_id, owners_answer in (("waiting-1234", "pending"), ("refused-1234", "over_limit")):
        path = f"/api/flash/sales/{sale.pk}/requests/{request_id}/"
        assert api.get(path).json()["status"] == owners_answer
        assert other.get(path).json()["status"] == "unknown"


def test_another_users_request_id_is_refused_without_its_answer(api):
    """Sending someone else's request id to buy told its first answer (a duplicate); now it is refused and
    the owner's own retry still hears its answer."""
    sale = live_sale(quota=2)
    path = f"/api/flash/sales/{sale.pk}/buy/"
    api.post(path, {"request_id": "taken-123456"}, format="json")
    other = APIClient()
    other.force_authenticate(buyer()[0])
    stolen = other.post(path, {"request_id": "taken-123456"}, format="json")
    assert (stolen.status_code, stolen.json()["code"]) == (400, "request_taken")
    assert "admitted" not in stolen.content.decode()
    retry = api.post(path, {"request_id": "taken-123456"}, format="json")
    assert (retry.status_code, retry.json()["status"]) == (202, "admitted")


def test_a_retry_of_an_admitted_request_hears_its_first_answer_not_the_workers_sold_out_memory(api):
    # Given the buyer's request took the last unit and this worker then learned the sale is sold out
    sale = live_sale(quota=1)
    url = f"/api/flash/sales/{sale.pk}/buy/"
    assert api.post(url, {"request_id": "last-unit-123"}, format="json").status_code == 202
    other = APIClient()
    other.force_authenticate(buyer()[0])
    assert other.post(url, {"request_id": "too-late-456"}, format="json").json()["status"] == "sold_out"
    # When the buyer's page re-sends the same id (its first answer was lost) and says it is a retry
    again = api.post(url, {"request_id": "last-unit-123"}, format="json", HTTP_X_FLASH_RETRY="1")
    # Then it hears "admitted" again; without the header the worker's memory answers sold out
    assert again.status_code == 202 and again.json()["status"] == "admitted"
    plain = api.post(url, {"request_id": "last-unit-123"}, format="json")
    assert plain.status_code == 409 and plain.json()["status"] == "sold_out"
    # And still only one unit went: one admission in the stream, one order once drained
    materialize.sale_drain(sale_id=sale.pk)
    assert api.get(f"{url.replace('buy/', 'requests/last-unit-123/')}").json()["status"] == "order"
    sale.refresh_from_db()
    assert sale.sold == 1
