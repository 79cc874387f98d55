"""Payments: starting one, the signed webhook (forged, stale, mismatched, duplicated, concurrent), payment
after cancellation, refunds. Real PostgreSQL; tasks counted as they reach the real broker."""

from __future__ import annotations

import html
import json
import logging
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.errors import Conflict, NotFound
from mall.errors import InvalidTransition
from mall.models import Order, OrderEvent, Payment, PaymentEvent, Refund, StockMovement
from mall.payments import get_provider
from mall.services import payments as payment_services
from mall.services.orders import order_cancel, order_expire, order_transition
from mall.services.pricing import quota_used
from mall.services.stock import stock_reconcile
from tests.support.concurrency import call_concurrently
from tests.support.orders import payment_for, placed_order
from tests.support.tasks import enqueued
from tests.support.webhooks import deliver, event_for, post_webhook, signed

S = Order.State
DECLARE = "mall.tasks.order_declare_task"
REFUND_ORDER = "mall.tasks.order_refund_task"
REFUND_PAYMENT = "mall.tasks.payment_refund_task"


def snapshot(order: Order) -> tuple:
    """Everything a webhook could change about an order and its payments."""
    order.refresh_from_db()
    return (
        order.state,
        order.paid_at,
        list(Payment.objects.filter(order=order).values_list("reference", "state", "payer_name")),
        PaymentEvent.objects.count(),
        OrderEvent.objects.filter(order=order).count(),
        Refund.objects.count(),
    )


# --- starting a payment -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_payment_start_creates_a_payment_and_sends_the_buyer_to_the_sandbox_page():
    order, _record = placed_order()

    url = payment_services.payment_start(order=order, user=order.user)
    again = payment_services.payment_start(order=order, user=order.user)

    first, second = Payment.objects.filter(order=order).order_by("pk")
    assert url == f"/pay/sandbox/{first.reference}/"
    assert again == f"/pay/sandbox/{second.reference}/" and first.reference != second.reference
    assert (first.provider, first.amount, first.state) == ("sandbox", order.total, Payment.State.PENDING)


@pytest.mark.django_db
def test_paying_another_users_order_is_404_everywhere_and_creates_nothing(client):
    order, _record = placed_order()
    stranger = UserFactory()
    client.force_login(stranger)

    with pytest.raises(NotFound):
        payment_services.payment_start(order=order, user=stranger)
    assert client.get(f"/pay/order/{order.number}/").status_code == 404
    assert client.post(f"/pay/order/{order.number}/").status_code == 404
    assert client.post(f"/api/payments/orders/{order.number}/pay/").status_code == 404

    assert not Payment.objects.exists()
    own = payment_for(order)
    assert client.get(f"/pay/sandbox/{own.reference}/").status_code == 404
    assert client.post(f"/pay/sandbox/{own.reference}/", {"action": "pay"}).status_code == 404
    assert client.get(f"/api/payments/{own.reference}/").status_code == 404
    assert Payment.objects.get().state == Payment.State.PENDING


@pytest.mark.django_db
def test_the_pay_button_sends_the_buyer_to_sandbox_pay_and_the_api_says_where(client):
    order, _record = placed_order()
    client.force_login(order.user)

    page = client.get(f"/pay/order/{order.number}/")
    assert page.status_code == 200 and f"¥{order.total}" in page.content.decode()
    response = client.post(f"/pay/order/{order.number}/")
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pay/sandbox/{payment.reference}/"

    api = client.post(f"/api/payments/orders/{order.number}/pay/")
    assert api.status_code == 201
    body = api.json()
    assert body["redirect_url"].endswith(f"/pay/sandbox/{body['reference']}/")
    assert (body["order"], body["amount"], body["state"]) == (order.number, str(order.total), "pending")
    assert client.get(f"/api/payments/{body['reference']}/").json()["state"] == "pending"


@pytest.mark.django_db
def test_a_cancelled_order_cannot_be_paid_and_says_so(client):
    order, _record = placed_order()
    order_cancel(order=order, actor=order.user)
    client.force_login(order.user)

    with pytest.raises(Conflict, match="cancelled"):
        payment_services.payment_start(order=order, user=order.user)
    response = client.post(f"/pay/order/{order.number}/")
    assert response.status_code == 409
    assert "This order was cancelled, so it can't be paid any more." in html.unescape(
        response.content.decode()
    )
    api = client.post(f"/api/payments/orders/{order.number}/pay/")
    assert (api.status_code, api.json()["code"]) == (409, "order_cancelled")
    assert not Payment.objects.exists()


@pytest.mark.clocks
@pytest.mark.django_db
def test_an_order_past_its_payment_deadline_cannot_be_paid():
    order, _record = placed_order()
    Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now() - timedelta(seconds=1))

    with pytest.raises(Conflict, match="run out"):
        payment_services.payment_start(order=order, user=order.user)
    assert not Payment.objects.exists()


# --- the webhook ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_success_pays_the_order_and_queues_one_customs_declaration_after_commit(
    client, published, django_capture_on_commit_callbacks
):
    order, _record = placed_order()
    payment = payment_for(order)
    body, headers = signed(event_for(payment))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_webhook(client, body, headers)

    assert response.status_code == 200 and response.json() == {"status": "paid"}
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.state == S.PAID and order.paid_at is not None
    assert (payment.state, payment.payer_name, payment.payer_id_number) == (
        Payment.State.SUCCEEDED,
        order.buyer_name,
        order.buyer_id_number,
    )
    event = PaymentEvent.objects.get()
    assert (event.payment_id, event.kind) == (payment.pk, "payment.succeeded")
    assert order.buyer_id_number not in str(event.payload), "the stored payload keeps the ID number masked"
    assert list(order.events.values_list("from_state", "to_state")) == [
        ("", S.PENDING_PAYMENT),
        (S.PENDING_PAYMENT, S.PAID),
    ]
    # One mall task (the declaration); the buyer's "paid" notice is the community's, heard by signal.
    assert [name for name, _args in enqueued(callbacks) if name.startswith("mall.")] == [DECLARE]
    assert published.named(DECLARE) == [(order.pk,)]


@pytest.mark.django_db
def test_a_domestic_order_is_paid_without_a_customs_declaration(
    client, published, django_capture_on_commit_callbacks
):
    order, _record = placed_order(cross_border=False)
    payment = payment_for(order)
    event = event_for(payment, payer_name=order.user.display_name, payer_id_number="")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(client, *signed(event))

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).state == S.PAID
    assert published.named(DECLARE) == []


@pytest.mark.django_db
def test_the_same_event_twice_is_answered_200_and_changes_nothing(
    client, published, django_capture_on_commit_callbacks
):
    order, _record = placed_order()
    payment = payment_for(order)
    body, headers = signed(event_for(payment))
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, body, headers).status_code == 200
    before = snapshot(order)
    sent_before = list(published.sent)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = post_webhook(client, body, headers)

    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert snapshot(order) == before
    assert callbacks == [] and published.sent == sent_before


@pytest.mark.django_db
def test_another_success_event_for_an_already_paid_payment_changes_nothing(
    client, published, django_capture_on_commit_callbacks
):
    # A gateway that resends under a new event id (its own retry logic): recorded, nothing moves.
    order, _record = placed_order()
    payment = payment_for(order)
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(client, *signed(event_for(payment)))
    events_before = OrderEvent.objects.filter(order=order).count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_webhook(client, *signed(event_for(payment)))

    assert response.json() == {"status": "already_succeeded"}
    assert OrderEvent.objects.filter(order=order).count() == events_before
    assert callbacks == [] and published.named(DECLARE) == [(order.pk,)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda body, headers: (body, {}), id="no-signature"),
        pytest.param(lambda body, headers: (body, {"X-Sandbox-Signature": "garbage"}), id="malformed-header"),
        pytest.param(
            lambda body, headers: signed(__import__("json").loads(body), secret=b"not-the-secret"),
            id="wrong-secret",
        ),
        pytest.param(
            lambda body, headers: (body.replace(b'"amount":"', b'"amount":"1'), headers), id="body-tampered"
        ),
        pytest.param(
            lambda body, headers: (
                body,
                {"X-Sandbox-Signature": headers["X-Sandbox-Signature"].replace("t=", "t=1", 1)},
            ),
            id="timestamp-tampered",
        ),
    ],
)
def test_forged_deliveries_are_refused_logged_and_change_nothing(client, published, caplog, forge):
    order, _record = placed_order()
    payment = payment_for(order)
    before = snapshot(order)
    body, headers = forge(*signed(event_for(payment)))

    with caplog.at_level(logging.WARNING, logger="mall.services.payments"):
        response = post_webhook(client, body, headers)

    assert response.status_code == 400 and response.json()["code"] == "bad_signature"
    assert snapshot(order) == before
    assert published.sent == []
    assert "payment webhook refused" in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("age", [301, 3600, -301])
def test_a_delivery_signed_outside_the_tolerance_is_refused_as_stale(client, published, caplog, age):
    order, _record = placed_order()
    payment = payment_for(order)
    before = snapshot(order)

    # The clock stands still between signing and checking: a slow machine must not turn 301 s into 300 s.
    with (
        caplog.at_level(logging.WARNING, logger="mall.services.payments"),
        time_machine.travel(int(time.time()), tick=False),
    ):
        response = post_webhook(client, *signed(event_for(payment), timestamp=int(time.time()) - age))

    assert response.status_code == 400 and response.json()["code"] == "stale_timestamp"
    assert snapshot(order) == before and published.sent == []
    assert "stale_timestamp" in caplog.text


@pytest.mark.django_db
def test_a_delivery_just_inside_the_tolerance_is_accepted(client):
    order, _record = placed_order()
    payment = payment_for(order)
    with time_machine.travel(int(time.time()), tick=False):
        response = post_webhook(client, *signed(event_for(payment), timestamp=int(time.time()) - 290))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [{"amount": "0.01"}, {"amount": "1000000.00"}, {"currency": "USD"}],
    ids=["too-little", "too-much", "other-currency"],
)
def test_a_correctly_signed_amount_mismatch_is_refused_and_changes_nothing(
    client, published, caplog, overrides
):
    order, _record = placed_order()
    payment = payment_for(order)
    before = snapshot(order)

    with caplog.at_level(logging.WARNING, logger="mall.services.payments"):
        response = post_webhook(client, *signed(event_for(payment, **overrides)))

    assert response.status_code == 400 and response.json()["code"] == "amount_mismatch"
    assert snapshot(order) == before and published.sent == []
    assert "amount_mismatch" in caplog.text


@pytest.mark.django_db
def test_an_event_for_an_unknown_payment_is_404_and_changes_nothing(client, caplog):
    order, _record = placed_order()
    payment = payment_for(order)
    before = snapshot(order)

    with caplog.at_level(logging.WARNING, logger="mall.services.payments"):
        response = post_webhook(client, *signed(event_for(payment, reference="pay_" + "0" * 32)))

    assert response.status_code == 404 and response.json()["code"] == "unknown_payment"
    assert snapshot(order) == before
    assert "unknown_payment" in caplog.text


@pytest.mark.django_db
def test_a_malformed_but_signed_body_is_refused(client):
    order, _record = placed_order()
    payment_for(order)
    body = b"{not json"
    from mall.payments.sandbox import sandbox_signature

    response = post_webhook(
        client, body, {"X-Sandbox-Signature": sandbox_signature(body, timestamp=int(time.time()))}
    )
    assert (response.status_code, response.json()["code"]) == (400, "malformed")
    assert not PaymentEvent.objects.exists()


@pytest.mark.django_db
def test_the_webhook_needs_no_csrf_token_or_session_and_only_takes_post():
    order, _record = placed_order()
    payment = payment_for(order)
    client = Client(enforce_csrf_checks=True)

    assert client.get("/api/payments/webhook/sandbox/").status_code == 405
    assert post_webhook(client, *signed(event_for(payment))).status_code == 200


@pytest.mark.django_db
def test_a_failed_payment_leaves_the_order_unpaid_and_the_buyer_can_try_again(client, published):
    order, _record = placed_order()
    payment = payment_for(order)

    response = post_webhook(client, *signed(event_for(payment, kind="payment.failed")))

    assert response.json() == {"status": "failed"}
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.state, order.state) == (Payment.State.FAILED, S.PENDING_PAYMENT)
    assert published.sent == []
    assert payment_services.payment_start(order=order, user=order.user).startswith("/pay/sandbox/")


# --- concurrency: real threads, real PostgreSQL ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_deliveries_of_one_event_change_the_order_once_and_queue_one_declaration(published):
    order, _record = placed_order()
    payment = payment_for(order)
    body, headers = signed(event_for(payment))
    provider = get_provider()

    results = call_concurrently(
        [lambda: payment_services.payment_webhook_receive(body=body, headers=headers, provider=provider)] * 20
    )

    statuses = sorted(r.body["status"] for r in results)
    assert all(r.status == 200 for r in results), results
    assert statuses == ["duplicate"] * 19 + ["paid"]
    order.refresh_from_db()
    assert order.state == S.PAID
    assert OrderEvent.objects.filter(order=order, to_state=S.PAID).count() == 1
    assert PaymentEvent.objects.count() == 1
    assert published.named(DECLARE) == [(order.pk,)]


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_distinct_success_events_for_one_payment_still_pay_once(published):
    order, _record = placed_order()
    payment = payment_for(order)
    deliveries = [signed(event_for(payment)) for _ in range(20)]
    provider = get_provider()

    results = call_concurrently(
        [
            lambda d=d: payment_services.payment_webhook_receive(body=d[0], headers=d[1], provider=provider)
            for d in deliveries
        ]
    )

    assert sorted(r.body["status"] for r in results) == ["already_succeeded"] * 19 + ["paid"]
    assert OrderEvent.objects.filter(order=order, to_state=S.PAID).count() == 1
    assert PaymentEvent.objects.count() == 20
    assert published.named(DECLARE) == [(order.pk,)]


@pytest.mark.django_db(transaction=True)
def test_payment_racing_expiry_is_decided_by_the_database_and_the_money_is_never_lost(published):
    for _round in range(6):
        order, record = placed_order()
        payment = payment_for(order)
        Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now() - timedelta(seconds=1))
        body, headers = signed(event_for(payment))
        provider = get_provider()

        results = call_concurrently(
            [
                lambda order=order: order_expire(order_id=order.pk),
                lambda body=body, headers=headers, provider=provider: (
                    payment_services.payment_webhook_receive(body=body, headers=headers, provider=provider)
                ),
            ]
        )

        expired, delivered = results
        order.refresh_from_db()
        assert delivered.status == 200, results
        if expired:
            assert order.state == S.REFUND_DUE and delivered.body["status"] == "refund_due"
            assert (order.pk, "paid after cancellation") in published.named(REFUND_ORDER)
        else:
            assert order.state == S.PAID and delivered.body["status"] == "paid"
            assert (order.pk,) in published.named(DECLARE)
        assert Payment.objects.get(pk=payment.pk).state == Payment.State.SUCCEEDED
    assert stock_reconcile() == []


# --- payment after cancellation, refunds -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_payment_after_cancellation_goes_refund_due_then_refunded_once(
    client, published, django_capture_on_commit_callbacks
):
    order, record = placed_order()
    payment = payment_for(order)
    order_cancel(order=order, actor=order.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(client, *signed(event_for(payment)))

    assert response.json() == {"status": "refund_due"}
    order.refresh_from_db()
    assert order.state == S.REFUND_DUE
    assert published.named(REFUND_ORDER) == [(order.pk, "paid after cancellation")]
    assert published.named(DECLARE) == []

    refunds = payment_services.order_refund(order_id=order.pk, reason="paid after cancellation")
    again = payment_services.order_refund(order_id=order.pk, reason="paid after cancellation")

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.state == S.REFUNDED and payment.state == Payment.State.REFUNDED
    assert len(refunds) == 1 and again == []
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount, refund.state) == (
        payment.pk,
        order.total,
        Refund.State.SUCCEEDED,
    )
    assert refund.reference.startswith("sbx_re_")
    assert list(order.events.values_list("to_state", flat=True)) == [
        S.PENDING_PAYMENT,
        S.CANCELLED,
        S.REFUND_DUE,
        S.REFUNDED,
    ]
    record.refresh_from_db()
    assert record.allocated == 0
    assert stock_reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_of_one_order_refund_once():
    order, _record = placed_order()
    payment = payment_for(order)
    order_cancel(order=order, actor=order.user)
    deliver(event_for(payment))
    assert Order.objects.get(pk=order.pk).state == S.REFUND_DUE

    results = call_concurrently([lambda: payment_services.order_refund(order_id=order.pk, reason="x")] * 8)

    assert sum(len(r) for r in results if isinstance(r, list)) == 1, results
    assert Refund.objects.count() == 1
    assert Order.objects.get(pk=order.pk).state == S.REFUNDED


@pytest.mark.clocks
@pytest.mark.django_db
def test_refunding_a_paid_order_releases_its_stock_and_restores_the_quota():
    order, record = placed_order(quantity=2)
    payment = payment_for(order)
    deliver(event_for(payment))
    assert quota_used(id_number=order.buyer_id_number) == order.total

    payment_services.order_refund(order_id=order.pk, reason="operator refund")

    order.refresh_from_db()
    record.refresh_from_db()
    assert order.state == S.REFUNDED
    assert (record.on_hand, record.allocated) == (10, 0)
    assert StockMovement.objects.filter(stock_record=record, kind=StockMovement.Kind.DEALLOCATED).count() == 1
    assert quota_used(id_number=order.buyer_id_number) == Decimal("0.00")
    assert stock_reconcile() == []


@pytest.mark.django_db
def test_a_returned_order_stays_returned_and_gets_its_refund_recorded():
    order, _record = placed_order(cross_border=False)
    payment = payment_for(order)
    deliver(event_for(payment))
    for state in (S.SHIPPED, S.DELIVERED, S.RETURN_REQUESTED, S.RETURNED):
        order_transition(order=order, to_state=state)

    payment_services.order_refund(order_id=order.pk, reason="return")
    payment_services.order_refund(order_id=order.pk, reason="return")

    order.refresh_from_db()
    assert order.state == S.RETURNED
    assert Refund.objects.filter(payment=payment, state=Refund.State.SUCCEEDED).count() == 1
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.REFUNDED


@pytest.mark.django_db
def test_an_order_on_its_way_cannot_be_refunded_and_nothing_is_recorded():
    order, _record = placed_order(cross_border=False)
    payment = payment_for(order)
    deliver(event_for(payment))
    order_transition(order=order, to_state=S.SHIPPED)

    with pytest.raises(InvalidTransition):
        payment_services.order_refund(order_id=order.pk, reason="no")

    assert not Refund.objects.exists()
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.SUCCEEDED


@pytest.mark.django_db
def test_a_second_payment_of_a_paid_order_is_refunded_on_its_own(
    published, django_capture_on_commit_callbacks
):
    order, _record = placed_order()
    first, second = payment_for(order), payment_for(order)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(event_for(first))
        result = deliver(event_for(second))

    assert result.body == {"status": "duplicate_refund"}
    assert published.named(REFUND_PAYMENT) == [(second.pk, "duplicate payment")]
    payment_services.payment_refund(payment_id=second.pk, reason="duplicate payment")
    payment_services.payment_refund(payment_id=second.pk, reason="duplicate payment")

    order.refresh_from_db()
    assert order.state == S.PAID
    assert list(Refund.objects.values_list("payment_id", flat=True)) == [second.pk]
    assert Payment.objects.get(pk=first.pk).state == Payment.State.SUCCEEDED
    assert Payment.objects.get(pk=second.pk).state == Payment.State.REFUNDED


@pytest.mark.django_db
def test_a_refund_the_provider_could_not_answer_is_finished_by_the_retry(monkeypatch):
    order, _record = placed_order()
    payment = payment_for(order)
    order_cancel(order=order, actor=order.user)
    deliver(event_for(payment))
    from mall.payments.sandbox import SandboxProvider

    real_refund = SandboxProvider.refund
    monkeypatch.setattr(
        SandboxProvider, "refund", lambda *a, **k: (_ for _ in ()).throw(OSError("gateway down"))
    )
    with pytest.raises(OSError):
        payment_services.order_refund(order_id=order.pk, reason="paid after cancellation")
    assert Refund.objects.get().state == Refund.State.PENDING
    assert Order.objects.get(pk=order.pk).state == S.REFUNDED

    monkeypatch.setattr(SandboxProvider, "refund", real_refund)
    payment_services.order_refund(order_id=order.pk, reason="paid after cancellation")

    assert Refund.objects.get().state == Refund.State.SUCCEEDED
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.REFUNDED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides", [{"id": "evt_" + "x" * 61}, {"id": ""}, {"amount": 12.5}, {"type": None}]
)
def test_a_signed_event_with_bad_fields_is_refused_as_malformed(client, overrides):
    order, _record = placed_order()
    payment = payment_for(order)
    before = snapshot(order)

    response = post_webhook(client, *signed(event_for(payment, **overrides)))

    assert (response.status_code, response.json()["code"]) == (400, "malformed")
    assert snapshot(order) == before


@pytest.mark.django_db(transaction=True)
def test_the_same_webhook_posted_twenty_times_at_once_over_http_changes_the_order_once(
    live_server, published
):
    import urllib.request

    order, _record = placed_order()
    payment = payment_for(order)
    body, headers = signed(event_for(payment))

    def post():
        request = urllib.request.Request(  # noqa: S310 - the test server
            live_server.url + "/api/payments/webhook/sandbox/",
            data=body,
            headers={**headers, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the test server
            return response.status, json.loads(response.read())

    results = call_concurrently([post] * 20)

    assert sorted(r[1]["status"] for r in results) == ["duplicate"] * 19 + ["paid"], results
    assert {r[0] for r in results} == {200}
    assert OrderEvent.objects.filter(order=order, to_state=S.PAID).count() == 1
    assert Order.objects.get(pk=order.pk).state == S.PAID
    assert published.named(DECLARE) == [(order.pk,)]


@pytest.mark.django_db
def test_a_paid_order_counts_towards_best_selling(django_capture_on_commit_callbacks):
    from mall.models import Product
    from mall.services.orders import order_transition
    from mall.services.payments import _sales_count_add
    from mall.tests.factories import SkuFactory, stock_give
    from tests.support.orders import place_order

    sku = SkuFactory()
    stock_give(sku=sku, quantity=5)
    order = place_order(sku=sku, quantity=3)
    before = Product.objects.get(pk=sku.product_id).sales_count
    with transaction.atomic():
        order_transition(order=order, to_state="paid")
        _sales_count_add(order.pk)
    assert Product.objects.get(pk=sku.product_id).sales_count == before + 3


@pytest.mark.django_db
def test_a_form_posted_to_the_webhook_is_malformed_not_a_server_error(client):
    """Found by the access sweep (tests/sweep/): a multipart post had its body read as a form by the
    forged-input check, and reading the raw body then raised (a 500). A gateway sends JSON only: a form
    is an unsupported media type (415), documented in the schema."""
    response = client.post("/api/payments/webhook/sandbox/", {"id": "evt_1"})
    assert response.status_code == 415
    assert not PaymentEvent.objects.exists()
