"""An approved return tells the buyer where to send the goods and asks for the parcel's carrier and
tracking number, once. Only the order's buyer may give it (anyone else: 404, nothing changes), only on an
approved open return (409), only a well-formed number (400, the form again); operators see it in admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.errors import Conflict, DomainError
from mall.models import Order, OrderEvent, ReturnRequest
from mall.services.orders import order_approve_return, order_receive_return, order_return_parcel
from tests.support.admin import apply_action
from tests.support.orders import return_requested_order

pytestmark = pytest.mark.django_db

S = Order.State


def approved_return() -> Order:
    order = return_requested_order()
    assert order_approve_return(order=order)
    order.refresh_from_db()
    return order


def sent_back(order: Order):
    request = ReturnRequest.objects.get(order=order)
    return (request.return_carrier, request.return_tracking_number, request.return_sent_at is not None)


def url(order: Order) -> str:
    return reverse("mall:order_return_parcel", args=[order.number])


# --- the service ----------------------------------------------------------------------------------------------


def test_the_buyer_records_the_return_parcel_once():
    order = approved_return()
    order_return_parcel(order=order, carrier="ems", tracking_number=" em123456789 ", actor=order.user)
    assert sent_back(order) == ("ems", "EM123456789", True)
    event = order.events.last()
    assert (event.to_state, event.actor, event.message) == (
        S.RETURN_REQUESTED,
        order.user,
        "Return sent back with EMS, tracking number EM123456789.",
    )
    with pytest.raises(Conflict, match="already told us the return's tracking number \\(EM123456789\\)"):
        order_return_parcel(
            order=order, carrier="sf_express", tracking_number="SF000000001", actor=order.user
        )
    assert sent_back(order) == ("ems", "EM123456789", True)
    assert order.events.count() == event.order.events.count()


def test_before_approval_the_return_parcel_is_refused():
    order = return_requested_order()
    with pytest.raises(Conflict, match="Wait until we approve"):
        order_return_parcel(order=order, carrier="ems", tracking_number="EM123456789", actor=order.user)
    assert sent_back(order) == ("", "", False)


def test_a_received_return_takes_no_tracking_number():
    order = approved_return()
    order_receive_return(order=order)
    order.refresh_from_db()
    with pytest.raises(Conflict, match="no open return"):
        order_return_parcel(order=order, carrier="ems", tracking_number="EM123456789", actor=order.user)
    assert sent_back(order) == ("", "", False)


@pytest.mark.parametrize("carrier, number", [("ems", "EM-1"), ("ems", ""), ("carrier pigeon", "EM123456789")])
def test_a_malformed_return_parcel_changes_nothing(carrier, number):
    order = approved_return()
    events = order.events.count()
    with pytest.raises(DomainError) as refused:
        order_return_parcel(order=order, carrier=carrier, tracking_number=number, actor=order.user)
    assert refused.value.status_code == 400
    assert sent_back(order) == ("", "", False) and order.events.count() == events


# --- the buyer's page -----------------------------------------------------------------------------------------


def test_an_approved_return_shows_the_address_and_asks_for_the_tracking_number(client, settings):
    settings.RETURN_ADDRESS = "Returns desk, Gate 3, Qianhai"
    order = approved_return()
    client.force_login(order.user)
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert 'data-testid="return-card"' in html and "Wrong shade" in html
    assert 'data-testid="return-address"' in html and "Returns desk, Gate 3, Qianhai" in html
    assert f'action="{url(order)}"' in html and 'name="tracking_number"' in html
    assert '<option value="sf_express">SF Express</option>' in html
    assert "Return approved. Send the goods to the address below" in html

    response = client.post(
        url(order), {"carrier": "sf_express", "tracking_number": "SF5556667778"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("mall:order", args=[order.number])
    html = response.content.decode()
    assert "We will tell you when the goods arrive." in html
    assert 'data-testid="return-tracking">SF Express · <span class="mono">SF5556667778</span>' in html
    assert 'data-testid="return-parcel-form"' not in html  # asked once
    assert sent_back(order) == ("sf_express", "SF5556667778", True)


def test_the_warehouses_own_return_address_wins_over_the_shops(client, settings):
    settings.RETURN_ADDRESS = "The shop's address"
    order = approved_return()
    order.lines.get().warehouse.__class__.objects.filter(pk=order.lines.get().warehouse_id).update(
        return_address="Bonded warehouse B, dock 7"
    )
    client.force_login(order.user)
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert "Bonded warehouse B, dock 7" in html and "The shop&#x27;s address" not in html


def test_a_return_waiting_for_approval_shows_its_state_and_no_form(client):
    order = return_requested_order()
    client.force_login(order.user)
    html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert 'data-testid="return-approved">Waiting for the shop<' in html
    assert 'data-testid="return-address"' not in html and 'data-testid="return-parcel-form"' not in html


def test_the_order_page_with_a_return_costs_fixed_queries(client, django_assert_num_queries):
    order = approved_return()
    order_return_parcel(order=order, carrier="ems", tracking_number="EM123456789", actor=order.user)
    client.force_login(order.user)
    with django_assert_num_queries(6):  # session, user, order+declaration+return, lines, events, parcel
        html = client.get(reverse("mall:order", args=[order.number])).content.decode()
    assert "EM123456789" in html


# --- attackers ------------------------------------------------------------------------------------------------


def test_another_user_posting_a_tracking_number_to_someones_return_gets_404_and_nothing_changes(client):
    order = approved_return()
    events = order.events.count()
    client.force_login(UserFactory())
    response = client.post(url(order), {"carrier": "ems", "tracking_number": "EM123456789"})
    assert response.status_code == 404
    assert sent_back(order) == ("", "", False) and order.events.count() == events
    client.logout()
    response = client.post(url(order), {"carrier": "ems", "tracking_number": "EM123456789"})
    assert response.status_code == 302 and "/login" in response.url
    assert sent_back(order) == ("", "", False)


@pytest.mark.parametrize(
    "posted",
    [
        {"carrier": "ems", "tracking_number": "EM-123"},
        {"carrier": "ems", "tracking_number": "x" * 41},
        {"carrier": "ems"},
        {"carrier": "someone else's van", "tracking_number": "EM123456789"},
        {},
    ],
)
def test_a_bad_tracking_number_is_a_400_with_the_form_again_and_nothing_changes(client, posted):
    order = approved_return()
    events = order.events.count()
    client.force_login(order.user)
    response = client.post(url(order), posted)
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        'data-testid="return-parcel-form"' in html and "has-error" in html and 'data-testid="error-' in html
    )
    assert sent_back(order) == ("", "", False) and order.events.count() == events


def test_the_format_error_names_the_rule(client):
    order = approved_return()
    client.force_login(order.user)
    response = client.post(url(order), {"carrier": "ems", "tracking_number": "EM-123"})
    assert response.status_code == 400
    assert "6 to 30 letters and digits" in response.content.decode()


def test_posting_on_a_return_not_approved_is_refused(client):
    order = return_requested_order()
    client.force_login(order.user)
    response = client.post(url(order), {"carrier": "ems", "tracking_number": "EM123456789"})
    assert response.status_code == 409
    assert "Wait until we approve your return" in response.content.decode()
    assert sent_back(order) == ("", "", False)


def test_a_second_submit_is_refused_and_keeps_the_first(client):
    order = approved_return()
    client.force_login(order.user)
    client.post(url(order), {"carrier": "ems", "tracking_number": "EM123456789"})
    response = client.post(url(order), {"carrier": "yto", "tracking_number": "YT000000000"})
    assert response.status_code == 409
    assert "already told us the return&#x27;s tracking number (EM123456789)" in response.content.decode()
    assert sent_back(order) == ("ems", "EM123456789", True)
    assert OrderEvent.objects.filter(order=order, message__startswith="Return sent back").count() == 1


def test_a_get_on_the_action_is_not_allowed(client):
    order = approved_return()
    client.force_login(order.user)
    assert client.get(url(order)).status_code == 405


# --- operators ------------------------------------------------------------------------------------------------


def test_operators_see_the_return_parcel_and_receive_the_return(admin_client):
    order = approved_return()
    order_return_parcel(order=order, carrier="jd_logistics", tracking_number="JD777888999", actor=order.user)
    page = admin_client.get(reverse("admin:mall_order_change", args=[order.pk])).content.decode()
    assert "Sent back by the buyer" in page and "JD Logistics" in page and "JD777888999" in page
    found = admin_client.get("/admin/mall/order/", {"q": "JD777888999"}).content.decode()
    assert order.number in found

    apply_action(admin_client, "/admin/mall/order/", "receive_return", [order])
    order.refresh_from_db()
    assert order.state == S.RETURNED and order.return_request.received_at is not None
