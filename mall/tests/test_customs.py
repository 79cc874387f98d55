"""Customs: declaration of the order, payment and waybill records after payment; clearance, rejection
(payer is not the purchaser, annual quota exceeded) with stock released and the buyer refunded; retries."""

from __future__ import annotations

import pytest

from mall.customs import CustomsDecision
from mall.customs.sandbox import SandboxCustoms
from mall.models import CustomsDeclaration, Order, Payment, Refund, StockMovement
from mall.services import customs as customs_services
from mall.services import payments as payment_services
from mall.services.pricing import quota_used
from mall.services.stock import stock_reconcile
from tests.support.concurrency import call_concurrently
from tests.support.orders import payment_for, placed_order
from tests.support.webhooks import event_for, signed

S = Order.State
D = CustomsDeclaration.State


def paid_order(*, payer_name: str | None = None, payer_id_number: str | None = None, **order_args):
    order, record = placed_order(**order_args)
    payment = payment_for(order)
    overrides = {}
    if payer_name is not None:
        overrides["payer_name"] = payer_name
    if payer_id_number is not None:
        overrides["payer_id_number"] = payer_id_number
    body, headers = signed(event_for(payment, **overrides))
    assert payment_services.payment_webhook_receive(body=body, headers=headers).body == {"status": "paid"}
    order.refresh_from_db()
    return order, record, payment


@pytest.mark.django_db
def test_a_paid_order_is_declared_with_its_three_records_and_cleared(monkeypatch):
    order, record, payment = paid_order(quantity=2)
    seen: list[dict] = []
    real_declare = SandboxCustoms.declare
    monkeypatch.setattr(SandboxCustoms, "declare", lambda self, d: seen.append(d) or real_declare(self, d))

    declaration = customs_services.order_declare(order_id=order.pk)

    order.refresh_from_db()
    assert order.state == S.CLEARED
    assert declaration.state == D.CLEARED and declaration.decided_at is not None
    assert declaration.waybill.startswith("WB") and declaration.reference.startswith("SBXC")
    assert [(e.from_state, e.to_state) for e in order.events.all()][1:] == [
        (S.PENDING_PAYMENT, S.PAID),
        (S.PAID, S.DECLARED),
        (S.DECLARED, S.CLEARED),
    ]
    (records,) = seen
    assert (
        records["order"]["number"] == order.number
        and records["order"]["buyer_id_number"] == order.buyer_id_number
    )
    assert records["order"]["lines"][0]["quantity"] == 2
    assert records["payment"]["reference"] == payment.reference
    assert records["payment"]["payer_id_number"] == order.buyer_id_number
    assert (
        records["waybill"]["number"] == declaration.waybill and records["waybill"]["warehouse"] == "NB-BONDED"
    )
    # Cleared goods stay allocated until the warehouse ships them.
    record.refresh_from_db()
    assert (record.on_hand, record.allocated) == (10, 2)
    assert stock_reconcile() == []


@pytest.mark.django_db
def test_declaring_again_changes_nothing_and_does_not_ask_customs_again(monkeypatch):
    order, _record, _payment = paid_order()
    customs_services.order_declare(order_id=order.pk)
    events = order.events.count()
    calls: list = []
    monkeypatch.setattr(SandboxCustoms, "declare", lambda self, d: calls.append(d))

    customs_services.order_declare(order_id=order.pk)

    assert CustomsDeclaration.objects.count() == 1 and calls == []
    assert order.events.count() == events


@pytest.mark.django_db
def test_someone_else_paying_is_rejected_the_stock_released_and_the_buyer_refunded(
    published, django_capture_on_commit_callbacks
):
    order, record, payment = paid_order(quantity=3, payer_name="李四", payer_id_number="110105198503150021")
    assert quota_used(id_number=order.buyer_id_number) == order.total

    with django_capture_on_commit_callbacks(execute=True):
        declaration = customs_services.order_declare(order_id=order.pk)

    order.refresh_from_db()
    record.refresh_from_db()
    assert order.state == S.CUSTOMS_REJECTED
    assert declaration.state == D.REJECTED and "payer is not the purchaser" in declaration.rejection_reason
    assert "payer is not the purchaser" in order.events.last().message
    assert (record.on_hand, record.allocated) == (10, 0)
    released = StockMovement.objects.get(stock_record=record, kind=StockMovement.Kind.CUSTOMS_REJECTED)
    assert (released.allocated_delta, released.source) == (-3, f"order:{order.number}")
    assert stock_reconcile() == []
    ((refunded_id, reason),) = published.named("mall.tasks.order_refund_task")
    assert refunded_id == order.pk and reason.startswith("customs rejected")

    payment_services.order_refund(order_id=order.pk, reason=reason)

    order.refresh_from_db()
    assert order.state == S.REFUNDED
    assert Refund.objects.get().state == Refund.State.SUCCEEDED
    assert Payment.objects.get(pk=payment.pk).state == Payment.State.REFUNDED
    assert quota_used(id_number=order.buyer_id_number) == 0
    assert stock_reconcile() == []


@pytest.mark.django_db
def test_a_payer_with_the_right_id_but_another_name_is_rejected():
    order, _record, _payment = paid_order(payer_name="王五")
    assert customs_services.order_declare(order_id=order.pk).state == D.REJECTED


@pytest.mark.clocks
@pytest.mark.django_db
def test_an_order_over_the_annual_quota_is_rejected(settings, published, django_capture_on_commit_callbacks):
    order, record, _payment = paid_order(quantity=2)
    # The year's quota shrank below what this order takes (another channel used it, the law changed).
    settings.CROSS_BORDER_ANNUAL_LIMIT = str(order.total - 1)

    with django_capture_on_commit_callbacks(execute=True):
        declaration = customs_services.order_declare(order_id=order.pk)

    assert declaration.state == D.REJECTED and "limit" in declaration.rejection_reason
    assert Order.objects.get(pk=order.pk).state == S.CUSTOMS_REJECTED
    record.refresh_from_db()
    assert record.allocated == 0
    assert len(published.named("mall.tasks.order_refund_task")) == 1
    assert stock_reconcile() == []


@pytest.mark.clocks
@pytest.mark.django_db
def test_an_order_exactly_at_the_annual_quota_clears(settings):
    order, _record, _payment = paid_order()
    settings.CROSS_BORDER_ANNUAL_LIMIT = str(order.total)
    assert customs_services.order_declare(order_id=order.pk).state == D.CLEARED


@pytest.mark.django_db
def test_a_domestic_order_is_never_declared():
    order, _record = placed_order(cross_border=False)
    payment = payment_for(order)
    body, headers = signed(event_for(payment, payer_id_number=""))
    payment_services.payment_webhook_receive(body=body, headers=headers)

    assert customs_services.order_declare(order_id=order.pk) is None
    assert Order.objects.get(pk=order.pk).state == S.PAID
    assert not CustomsDeclaration.objects.exists()


@pytest.mark.django_db
def test_an_unpaid_or_refunded_order_is_not_declared():
    order, _record = placed_order()
    assert customs_services.order_declare(order_id=order.pk) is None
    assert Order.objects.get(pk=order.pk).state == S.PENDING_PAYMENT
    assert not CustomsDeclaration.objects.exists()


@pytest.mark.django_db
def test_a_gateway_outage_leaves_the_order_declared_and_the_retry_finishes_it(monkeypatch):
    order, _record, _payment = paid_order()

    def down(self, declaration):
        raise OSError("customs gateway unreachable")

    monkeypatch.setattr(SandboxCustoms, "declare", down)
    with pytest.raises(OSError):
        customs_services.order_declare(order_id=order.pk)
    assert Order.objects.get(pk=order.pk).state == S.DECLARED
    assert CustomsDeclaration.objects.get().state == D.SUBMITTED

    monkeypatch.undo()
    declaration = customs_services.order_declare(order_id=order.pk)

    assert declaration.state == D.CLEARED and CustomsDeclaration.objects.count() == 1
    assert Order.objects.get(pk=order.pk).state == S.CLEARED


@pytest.mark.django_db
def test_an_answer_recorded_by_another_worker_is_not_applied_twice(monkeypatch):
    # Two workers both asked customs (a redelivered task); the second answer finds the first recorded.
    order, record, _payment = paid_order()
    monkeypatch.setattr(SandboxCustoms, "declare", lambda self, d: CustomsDecision(False, "R1", "rejected"))
    customs_services.order_declare(order_id=order.pk)
    declaration = CustomsDeclaration.objects.get()
    order.refresh_from_db()

    again = customs_services._declaration_decide(
        order=Order.objects.get(pk=order.pk),
        declaration=declaration,
        decision=CustomsDecision(False, "R1", "rejected"),
    )

    assert again is False
    assert StockMovement.objects.filter(kind=StockMovement.Kind.CUSTOMS_REJECTED).count() == 1
    assert stock_reconcile() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_declarations_of_one_order_declare_and_release_once(published):
    order, record, _payment = paid_order(payer_name="李四", payer_id_number="110105198503150021")

    results = call_concurrently([lambda: customs_services.order_declare(order_id=order.pk)] * 6)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert CustomsDeclaration.objects.count() == 1
    assert Order.objects.get(pk=order.pk).state == S.CUSTOMS_REJECTED
    assert order.events.filter(to_state=S.DECLARED).count() == 1
    assert order.events.filter(to_state=S.CUSTOMS_REJECTED).count() == 1
    assert StockMovement.objects.filter(kind=StockMovement.Kind.CUSTOMS_REJECTED).count() == 1
    assert len(published.named("mall.tasks.order_refund_task")) == 1
    record.refresh_from_db()
    assert record.allocated == 0
    assert stock_reconcile() == []
