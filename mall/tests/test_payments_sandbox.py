"""The sandbox gateway as a buyer meets it: the hosted page, one decision per payment, the signed delivery
in-process or over HTTP, and the whole path on a real Celery worker: pay -> declared -> cleared."""

from __future__ import annotations

import html
import json
import time

import pytest

from mall.models import CustomsDeclaration, Order, Payment, PaymentEvent
from mall.payments.sandbox import SIGNATURE_HEADER, sandbox_deliver
from mall.services import customs as customs_services
from mall.services.payments import payment_start
from mall.views.payments import SANDBOX_STRANGER_ID, SANDBOX_STRANGER_NAME
from tests.support.orders import placed_order
from tests.support.tasks import wait_until

S = Order.State
DELIVER = "mall.tasks.sandbox_deliver_task"


def started(client):
    order, record = placed_order()
    client.force_login(order.user)
    url = payment_start(order=order, user=order.user)
    return order, record, url, Payment.objects.get(order=order)


@pytest.mark.django_db
def test_the_hosted_page_shows_merchant_order_amount_and_the_masked_payer(client):
    order, _record, url, payment = started(client)

    page = html.unescape(client.get(url).content.decode())

    assert "Sandbox Pay" in page and "Hongshu" in page
    assert order.number in page and f"¥{payment.amount}" in page
    assert "张*" in page
    assert order.masked_id_number in page and order.buyer_id_number not in page
    assert 'value="pay"' in page and 'value="fail"' in page


@pytest.mark.django_db
def test_pay_sends_one_signed_event_and_returns_the_buyer_to_the_order(
    client, published, django_capture_on_commit_callbacks
):
    order, _record, url, payment = started(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "pay", "payer": "self"})
        again = client.post(url, {"action": "pay", "payer": "self"})

    assert response.status_code == 302 and response["Location"] == f"/mall/orders/{order.number}/"
    assert again.status_code == 302
    (deliveries,) = [published.named(DELIVER)]
    assert len(deliveries) == 1, "the gateway decides once per payment"
    event = json.loads(deliveries[0][0])
    assert event["type"] == "payment.succeeded" and event["reference"] == payment.reference
    assert (event["amount"], event["currency"]) == (str(payment.amount), "CNY")
    assert (event["payer_name"], event["payer_id_number"]) == (order.buyer_name, order.buyer_id_number)

    assert sandbox_deliver(body=deliveries[0][0]) == 200  # what the worker does
    assert sandbox_deliver(body=deliveries[0][0]) == 200  # the gateway retried: a duplicate
    order.refresh_from_db()
    assert order.state == S.PAID and PaymentEvent.objects.count() == 1
    assert "already complete" in client.get(url).content.decode()


@pytest.mark.django_db
def test_fail_sends_a_failed_event(client, published, django_capture_on_commit_callbacks):
    order, _record, url, payment = started(client)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "fail"})
    sandbox_deliver(body=published.named(DELIVER)[0][0])

    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.state, order.state) == (Payment.State.FAILED, S.PENDING_PAYMENT)


@pytest.mark.django_db
def test_someone_else_paying_reaches_customs_and_is_rejected(
    client, published, django_capture_on_commit_callbacks
):
    order, _record, url, payment = started(client)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "pay", "payer": "other", "other_name": "", "other_id_number": ""})
    sandbox_deliver(body=published.named(DELIVER)[0][0])

    payment.refresh_from_db()
    assert (payment.payer_name, payment.payer_id_number) == (SANDBOX_STRANGER_NAME, SANDBOX_STRANGER_ID)
    declaration = customs_services.order_declare(order_id=order.pk)
    assert declaration.state == CustomsDeclaration.State.REJECTED
    assert Order.objects.get(pk=order.pk).state == S.CUSTOMS_REJECTED


@pytest.mark.django_db
def test_an_unknown_action_is_refused_and_sends_nothing(client, published):
    _order, _record, url, _payment = started(client)
    assert client.post(url, {"action": "steal"}).status_code == 400
    assert published.sent == []


@pytest.mark.django_db
def test_the_hosted_page_needs_a_login(client):
    order, _record, url, _payment = started(client)
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_the_gateway_posts_the_signed_event_over_http_when_a_webhook_url_is_set(live_server, settings):
    order, _record = placed_order()
    payment_start(order=order, user=order.user)
    payment = Payment.objects.get()
    settings.PAYMENT_WEBHOOK_URL = live_server.url + "/api/payments/webhook/sandbox/"
    body = json.dumps(
        {
            "id": "evt_http_1",
            "type": "payment.succeeded",
            "reference": payment.reference,
            "amount": str(payment.amount),
            "currency": "CNY",
            "payer_name": order.buyer_name,
            "payer_id_number": order.buyer_id_number,
            "created": int(time.time()),
        }
    )

    assert sandbox_deliver(body=body) == 200
    assert Order.objects.get(pk=order.pk).state == S.PAID
    assert sandbox_deliver(body=body.replace(payment.reference, "pay_unknown")) == 404


@pytest.mark.django_db
def test_an_unreachable_receiver_raises_so_the_task_retries(settings):
    settings.PAYMENT_WEBHOOK_URL = "http://127.0.0.1:9/api/payments/webhook/sandbox/"
    with pytest.raises(OSError):
        sandbox_deliver(body='{"id": "evt_x"}')


def test_the_signature_header_is_stripe_shaped():
    from mall.payments.sandbox import sandbox_signature

    value = sandbox_signature(b"{}", timestamp=1700000000, secret=b"k")
    assert value.startswith("t=1700000000,v1=") and len(value.split("v1=")[1]) == 64
    assert SIGNATURE_HEADER == "X-Sandbox-Signature"


@pytest.mark.django_db(transaction=True)
def test_pay_on_the_sandbox_page_then_the_worker_declares_and_customs_clears(client, celery_worker):
    order, record, url, payment = started(client)

    response = client.post(url, {"action": "pay", "payer": "self"})
    assert response.status_code == 302

    assert wait_until(lambda: Order.objects.get(pk=order.pk).state == S.CLEARED), Order.objects.get(
        pk=order.pk
    ).state
    states = list(Order.objects.get(pk=order.pk).events.values_list("to_state", flat=True))
    assert states == [S.PENDING_PAYMENT, S.PAID, S.DECLARED, S.CLEARED]
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.SUCCEEDED
    assert CustomsDeclaration.objects.get(order=order).state == CustomsDeclaration.State.CLEARED
