"""Orders and customs in admin: every action through the admin client changes the order only through its
service (and the ledger still reconciles); a refused action changes nothing; the order page can't be
posted; the purchaser's full ID number appears on no admin page; the changelist's query count is fixed."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from mall.models import CustomsDeclaration, Order, Refund, StockMovement, StockRecord
from mall.services.stock import stock_reconcile
from tests.support.admin import apply_action, run_action, said
from tests.support.orders import cleared_order, paid_order, place_order, return_requested_order
from tests.support.tasks import enqueued

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/mall/order/"
S = Order.State


def record_of(order: Order) -> StockRecord:
    line = order.lines.get()
    return StockRecord.objects.get(sku_id=line.sku_id, warehouse_id=line.warehouse_id)


def snapshot(order: Order):
    """Everything a refused action must leave alone."""
    order.refresh_from_db()
    record = record_of(order)
    return (
        order.state,
        order.tracking_number,
        order.events.count(),
        record.on_hand,
        record.allocated,
        StockMovement.objects.count(),
        Refund.objects.count(),
    )


# --- ship --------------------------------------------------------------------------------------------------


def test_ship_asks_for_a_tracking_number_per_order_then_ships_through_the_service(admin_client, admin_user):
    first, second = cleared_order(), cleared_order()

    page = run_action(admin_client, CHANGELIST, "ship", [first, second])
    assert page.status_code == 200
    assert page.templates[0].name == "admin/admintools/action_form.html"
    assert f'name="tracking_{first.pk}"' in page.content.decode()
    assert first.state == S.CLEARED  # nothing happened yet
    assert Order.objects.filter(state=S.SHIPPED).count() == 0

    response = apply_action(
        admin_client,
        CHANGELIST,
        "ship",
        [first, second],
        **{f"tracking_{first.pk}": " sf111111 ", f"tracking_{second.pk}": "SF222222"},
    )
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert f"Order {first.number} shipped, tracking number SF111111." in said(response)
    for order, tracking in ((first, "SF111111"), (second, "SF222222")):
        order.refresh_from_db()
        assert (order.state, order.tracking_number) == (S.SHIPPED, tracking)
        event = order.events.last()
        assert (event.to_state, event.actor) == (S.SHIPPED, admin_user)
        record = record_of(order)
        assert (record.on_hand, record.allocated) == (9, 0)
        assert StockMovement.objects.filter(
            stock_record=record,
            kind=StockMovement.Kind.SHIPPED,
            source=f"order:{order.number}",
            actor=admin_user,
        ).exists()
    assert stock_reconcile() == []


def test_approve_return_marks_the_request_once(admin_client):
    order = return_requested_order()
    apply_action(admin_client, CHANGELIST, "approve_return", [order])
    order.return_request.refresh_from_db()
    approved_at = order.return_request.approved_at
    assert approved_at is not None
    response = apply_action(admin_client, CHANGELIST, "approve_return", [order])
    order.return_request.refresh_from_db()
    assert order.return_request.approved_at == approved_at
    assert "return approved" not in said(response)
    order.refresh_from_db()
    assert order.state == S.RETURN_REQUESTED  # receiving it is still its own step


def test_ship_records_the_carrier_given_for_the_batch(admin_client):
    order = cleared_order()
    page = run_action(admin_client, CHANGELIST, "ship", [order])
    assert 'name="carrier"' in page.content.decode()

    assert '<option value="jd_logistics">JD Logistics</option>' in page.content.decode()

    apply_action(
        admin_client,
        CHANGELIST,
        "ship",
        [order],
        carrier="sf_express",
        **{f"tracking_{order.pk}": "SF333333"},
    )
    order.refresh_from_db()
    assert (order.state, order.carrier, order.tracking_number) == (S.SHIPPED, "sf_express", "SF333333")
    assert order.events.last().message == "Shipped with SF Express, tracking number SF333333."


def test_ship_without_a_tracking_number_books_the_parcel_with_the_carrier(admin_client):
    order = cleared_order()
    response = apply_action(
        admin_client, CHANGELIST, "ship", [order], carrier="jd_logistics", **{f"tracking_{order.pk}": "  "}
    )
    order.refresh_from_db()
    assert (order.state, order.carrier) == (S.SHIPPED, "jd_logistics")
    assert order.tracking_number.startswith("JD") and len(order.tracking_number) == 14
    assert f"Order {order.number} shipped, tracking number {order.tracking_number}." in said(response)


@pytest.mark.parametrize("typed", ["SF-123-456", "SF12", "X" * 31, "顺丰123456"])
def test_a_malformed_tracking_number_stays_on_the_form_and_changes_nothing(admin_client, typed):
    order = cleared_order()
    before = snapshot(order)
    response = apply_action(admin_client, CHANGELIST, "ship", [order], **{f"tracking_{order.pk}": typed})
    assert response.status_code == 200
    assert response.templates[0].name == "admin/admintools/action_form.html"
    assert "6 to 30 letters and digits" in response.content.decode()
    assert snapshot(order) == before


def test_a_carrier_off_the_gateways_list_stays_on_the_form(admin_client):
    order = cleared_order()
    before = snapshot(order)
    response = apply_action(
        admin_client,
        CHANGELIST,
        "ship",
        [order],
        carrier="Bob's Vans",
        **{f"tracking_{order.pk}": "SF123456"},
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert snapshot(order) == before


def test_shipping_an_order_customs_has_not_cleared_is_refused_and_changes_nothing(admin_client):
    unpaid, paid = place_order(), paid_order()
    before = [snapshot(unpaid), snapshot(paid)]
    response = apply_action(
        admin_client,
        CHANGELIST,
        "ship",
        [unpaid, paid],
        **{f"tracking_{unpaid.pk}": "SF100001", f"tracking_{paid.pk}": "SF200002"},
    )
    messages = said(response)
    assert f"{unpaid.number}: This order is Awaiting payment and can't become Shipped." in messages
    assert f"{paid.number}: This order is Paid and can't become Shipped." in messages
    assert [snapshot(unpaid), snapshot(paid)] == before
    assert stock_reconcile() == []


def test_the_order_page_offers_ship_and_comes_back_to_the_order(admin_client):
    order = cleared_order()
    url = reverse("admin:mall_order_change", args=[order.pk])
    page = admin_client.get(url).content.decode()
    assert 'data-testid="object-action-ship"' in page
    assert 'data-testid="object-action-cancel_unpaid"' not in page

    form = admin_client.post(CHANGELIST, {"action": "ship", "_selected_action": order.pk, "_next": url})
    assert form.status_code == 200 and f'name="tracking_{order.pk}"' in form.content.decode()
    response = admin_client.post(
        CHANGELIST,
        {
            "action": "ship",
            "_selected_action": order.pk,
            "_next": url,
            "apply": "1",
            f"tracking_{order.pk}": "YT900009",
        },
    )
    assert response.status_code == 302 and response.url == url
    order.refresh_from_db()
    assert order.state == S.SHIPPED


def test_a_foreign_next_address_is_not_followed(admin_client):
    order = cleared_order()
    response = admin_client.post(
        CHANGELIST,
        {
            "action": "ship",
            "_selected_action": order.pk,
            "_next": "https://evil.example/",
            "apply": "1",
            f"tracking_{order.pk}": "YT900009",
        },
    )
    assert response.status_code == 302 and response.url == CHANGELIST


# --- refund, return, cancel --------------------------------------------------------------------------------


def test_refund_asks_for_a_reason_then_refunds_and_releases_the_allocation(admin_client, admin_user):
    order = paid_order()
    page = run_action(admin_client, CHANGELIST, "refund", [order])
    assert page.templates[0].name == "admin/admintools/action_form.html"
    assert snapshot(order)[0] == S.PAID

    empty = apply_action(admin_client, CHANGELIST, "refund", [order], reason="")
    assert "This field is required." in empty.content.decode()
    assert snapshot(order)[0] == S.PAID and not Refund.objects.exists()

    response = apply_action(admin_client, CHANGELIST, "refund", [order], reason="Out of stock at the port")
    assert f"Order {order.number}: refunded ¥{order.total}." in said(response)
    order.refresh_from_db()
    assert order.state == S.REFUNDED
    assert "Out of stock at the port" in order.events.last().message
    refund = Refund.objects.get()
    assert (refund.state, refund.amount) == (Refund.State.SUCCEEDED, order.total)
    record = record_of(order)
    assert (record.on_hand, record.allocated) == (10, 0)
    assert stock_reconcile() == []


def test_a_refund_the_provider_does_not_answer_is_queued_for_retry(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    from mall.payments.sandbox import SandboxProvider

    def unreachable(self, payment, amount, reason, *, idempotency_key=""):
        raise ConnectionError("gateway timed out")

    monkeypatch.setattr(SandboxProvider, "refund", unreachable)
    order = paid_order()
    with django_capture_on_commit_callbacks() as callbacks:
        response = apply_action(admin_client, CHANGELIST, "refund", [order], reason="Duplicate")
    assert f"Order {order.number}: the payment provider did not answer; the refund will be retried." in said(
        response
    )
    assert Refund.objects.get().state == Refund.State.PENDING
    assert "mall.tasks.order_refund_task" in [name for name, _args in enqueued(callbacks)]


def test_a_refund_the_provider_refuses_is_reported_as_an_error(admin_client, monkeypatch):
    from core.errors import DomainError
    from mall.payments.sandbox import SandboxProvider

    def refuse(self, payment, amount, reason, *, idempotency_key=""):
        raise DomainError("Refund window closed")

    monkeypatch.setattr(SandboxProvider, "refund", refuse)
    order = paid_order()
    response = apply_action(admin_client, CHANGELIST, "refund", [order], reason="Duplicate")
    assert (
        f"{order.number}: the payment provider refused the refund; see the refunds below the order."
        in said(response)
    )
    assert Refund.objects.get().state == Refund.State.FAILED


def test_refunding_a_shipped_order_is_refused_and_changes_nothing(admin_client):
    order = return_requested_order()  # shipped, delivered, return asked: money goes back on receipt only
    before = snapshot(order)
    response = apply_action(admin_client, CHANGELIST, "refund", [order], reason="Asked nicely")
    assert f"{order.number}: This order is Return requested and can't be refunded." in said(response)
    assert snapshot(order) == before


def test_receive_return_puts_units_back_and_queues_the_refund(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    order = return_requested_order()
    record = record_of(order)
    assert (record.on_hand, record.allocated) == (9, 0)
    with django_capture_on_commit_callbacks() as callbacks:
        response = run_action(admin_client, CHANGELIST, "receive_return", [order])
    assert any("return received" in m for m in said(response))
    order.refresh_from_db()
    assert order.state == S.RETURNED and order.return_request.received_at is not None
    record.refresh_from_db()
    assert (record.on_hand, record.allocated) == (10, 0)
    assert "mall.tasks.order_refund_task" in [name for name, _args in enqueued(callbacks)]
    assert stock_reconcile() == []


def test_receiving_a_return_nobody_asked_for_is_refused(admin_client, django_capture_on_commit_callbacks):
    order = cleared_order()
    before = snapshot(order)
    with django_capture_on_commit_callbacks() as callbacks:
        response = run_action(admin_client, CHANGELIST, "receive_return", [order])
    assert f"{order.number}: This order is Cleared customs and can't become Returned." in said(response)
    assert snapshot(order) == before
    assert callbacks == []


def test_cancel_unpaid_with_a_reason_releases_the_stock(admin_client, admin_user):
    order = place_order()
    record = record_of(order)
    assert record.allocated == 1
    response = apply_action(admin_client, CHANGELIST, "cancel_unpaid", [order], reason="Duplicate order")
    assert f"Order {order.number} cancelled; its units are back on sale." in said(response)
    order.refresh_from_db()
    assert order.state == S.CANCELLED
    event = order.events.last()
    assert (event.actor, event.message) == (admin_user, "Cancelled by the shop: Duplicate order")
    record.refresh_from_db()
    assert (record.on_hand, record.allocated) == (10, 0)
    assert stock_reconcile() == []


def test_cancelling_a_paid_order_is_refused_and_changes_nothing(admin_client):
    order = paid_order()
    before = snapshot(order)
    response = apply_action(admin_client, CHANGELIST, "cancel_unpaid", [order], reason="Changed mind")
    assert f"{order.number}: This order is Paid and can't become Cancelled." in said(response)
    assert snapshot(order) == before


# --- read-only, permissions ----------------------------------------------------------------------------------


def test_the_order_page_is_read_only_and_cannot_be_posted(admin_client):
    order = cleared_order()
    url = reverse("admin:mall_order_change", args=[order.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert 'name="state"' not in html
    before = snapshot(order)
    response = admin_client.post(
        url, {"state": S.SHIPPED, "tracking_number": "X", "total": "1.00", "_save": "1"}
    )
    assert response.status_code == 403
    assert snapshot(order) == before
    assert admin_client.get(reverse("admin:mall_order_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:mall_order_delete", args=[order.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Order.objects.filter(pk=order.pk).exists()


def test_the_order_page_shows_lines_timeline_payments_refunds_and_customs(admin_client):
    order = paid_order()
    apply_action(admin_client, CHANGELIST, "refund", [order], reason="Customer asked before shipping")
    html = admin_client.get(reverse("admin:mall_order_change", args=[order.pk])).content.decode()
    line = order.lines.get()
    assert line.sku_code in html and line.product_name in html
    assert "timeline" in html.lower()
    for state in ("pending_payment", "paid", "refunded"):
        assert f'data-value="{state}"' in html
    assert order.payments.get().reference in html
    assert "Customer asked before shipping" in html  # the refund's reason, inline
    assert order.masked_id_number in html


def test_a_staff_member_who_may_only_view_orders_cannot_ship(client):
    order = cleared_order()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert 'value="ship"' not in page.content.decode()
    before = snapshot(order)
    client.post(
        CHANGELIST,
        {"action": "ship", "_selected_action": order.pk, "apply": "1", f"tracking_{order.pk}": "X"},
    )
    assert snapshot(order) == before


# --- customs view ---------------------------------------------------------------------------------------------


def test_customs_declarations_are_listed_by_state_with_reasons_and_read_only(admin_client):
    cleared = cleared_order()
    rejected = paid_order()
    # The payer is someone else than the purchaser: the sandbox customs rejects the declaration.
    rejected.payments.update(payer_name="李四")
    from mall.services.customs import order_declare

    order_declare(order_id=rejected.pk)
    rejected.refresh_from_db()
    assert rejected.state == S.CUSTOMS_REJECTED

    url = reverse("admin:mall_customsdeclaration_changelist")
    everything = admin_client.get(url).content.decode()
    assert cleared.declaration.waybill in everything and rejected.declaration.waybill in everything
    only_rejected = admin_client.get(url, {"state__exact": "rejected"}).content.decode()
    assert rejected.number in only_rejected and cleared.number not in only_rejected
    assert "The payer is not the purchaser" in only_rejected
    only_cleared = admin_client.get(url, {"state__exact": "cleared"}).content.decode()
    assert cleared.number in only_cleared and rejected.number not in only_cleared

    declaration = CustomsDeclaration.objects.get(order=rejected)
    change = reverse("admin:mall_customsdeclaration_change", args=[declaration.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"state": "cleared"}).status_code == 403
    declaration.refresh_from_db()
    assert declaration.state == "rejected"
    assert admin_client.get(reverse("admin:mall_customsdeclaration_add")).status_code == 403


# --- the ID number ------------------------------------------------------------------------------------------


def _admin_pages(client, objects) -> list[str]:
    """Every registered model's list, and the page (and history) of each of ``objects``."""
    urls = ["/admin/"]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    for obj in objects:
        opts = obj._meta
        if obj.__class__ not in admin.site._registry:
            continue
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
    return urls


def test_the_full_id_number_appears_on_no_admin_page(admin_client):
    cleared = cleared_order()
    rejected = paid_order()
    rejected.payments.update(payer_name="李四")
    from mall.services.customs import order_declare

    order_declare(order_id=rejected.pk)
    full_numbers = {cleared.buyer_id_number, rejected.buyer_id_number}
    assert all(len(n) == 18 for n in full_numbers)
    identity = (
        cleared.user.customs_identities.first() if hasattr(cleared.user, "customs_identities") else None
    )

    objects = [cleared, rejected, cleared.user, cleared.declaration, rejected.declaration]
    objects += list(cleared.payments.all()) + list(rejected.payments.all())
    if identity is not None:
        objects.append(identity)
    pages = _admin_pages(admin_client, objects)
    # The action pages too.
    extra = [
        run_action(admin_client, CHANGELIST, "ship", [cleared, rejected]),
        run_action(admin_client, CHANGELIST, "refund", [cleared, rejected]),
        run_action(admin_client, CHANGELIST, "cancel_unpaid", [cleared, rejected]),
    ]
    checked = 0
    for url in pages:
        response = admin_client.get(url, follow=True)  # some lists redirect to their default filter
        assert response.status_code == 200, url
        html = response.content.decode()
        for number in full_numbers:
            assert number not in html, f"the full ID number appears on {url}"
        checked += 1
    for response in extra:
        html = response.content.decode()
        assert not any(number in html for number in full_numbers)
    assert checked > 10
    # The masked form is what operators see.
    assert (
        cleared.masked_id_number
        in admin_client.get(reverse("admin:mall_order_change", args=[cleared.pk])).content.decode()
    )


# --- query counts --------------------------------------------------------------------------------------------

# The signed-in user, the filtered count, the full count, the page of orders (buyer and declaration joined,
# item counts as a subquery), the unread-notices badge of the site's context processor, the date range and
# the days of the date hierarchy, and one facet count per filter (state, cross-border, customs).
ORDER_LIST_QUERIES = 10


@pytest.mark.parametrize("query", ["", "?state__exact=cleared", "?q=user"])
def test_the_order_list_costs_the_same_queries_for_3_and_9_orders(
    admin_client, django_assert_num_queries, query
):
    url = CHANGELIST + query
    for _ in range(3):
        cleared_order()
    admin_client.get(url)
    with django_assert_num_queries(ORDER_LIST_QUERIES):
        small = admin_client.get(url)
    assert small.content.decode().count('class="action-select"') == 3
    for _ in range(6):
        cleared_order()
    with django_assert_num_queries(ORDER_LIST_QUERIES):
        large = admin_client.get(url)
    assert large.content.decode().count('class="action-select"') == 9


def test_a_page_for_an_id_that_is_not_a_number_is_not_an_error(admin_client):
    for name in ("order", "stockrecord", "inboundshipment", "product"):
        response = admin_client.get(f"/admin/mall/{name}/not-a-number/change/")
        assert response.status_code == 302, name
