"""Notices: what happens to you (an order paid, cleared, shipped, delivered, a return received, a refund
made, a note hidden by moderation, a brand partnership) lands in the Notices inbox of that person only,
once, links to the thing, counts on the unread badge, and reads in the reader's language."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Notification, Partnership, Report
from community.services import moderation
from community.services.notifications import (
    notification_unread_count,
    notify_note_hidden,
    notify_order_event,
    notify_partnership,
    notify_refund,
    notify_return_approved,
)
from community.services.trust import partnership_record
from community.tests.factories import NoteFactory
from mall.models import Order, OrderEvent, Refund
from mall.services.orders import order_approve_return, order_receive_return, order_return_parcel, order_ship
from mall.services.parcels import parcels_poll
from mall.services.payments import order_refund
from mall.tests.factories import BrandFactory
from tests.support.orders import paid_order, return_requested_order
from tests.support.tasks import enqueued, wait_until

Kind = Notification.Kind
URL = "/notifications/"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _notify_all_events(order: Order) -> None:
    for event_id in OrderEvent.objects.filter(order=order).values_list("pk", flat=True):
        notify_order_event(order_event_id=event_id)


def _notices(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))


# --- orders -------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_shipped_order_reaches_its_buyer_through_the_worker_with_carrier_and_tracking(
    celery_worker, client
):
    order = paid_order(cross_border=False)
    someone_else = UserFactory()

    order_ship(order=order, tracking_number="SF1234567890", carrier="sf_express")

    assert wait_until(
        lambda: Notification.objects.filter(recipient=order.user, kind=Kind.ORDER_SHIPPED).exists()
    )
    assert wait_until(lambda: Notification.objects.filter(recipient=order.user).count() == 2)
    assert {n.kind for n in _notices(order.user)} == {Kind.ORDER_PAID, Kind.ORDER_SHIPPED}
    assert not Notification.objects.filter(recipient=someone_else).exists()
    assert notification_unread_count(order.user) == 2

    client.force_login(order.user)
    html = client.get(URL, {"inbox": "notices"}, **EN).content.decode()
    assert "SF Express" in html and "SF1234567890" in html
    assert f'href="{reverse("mall:order", args=[order.number])}"' in html


@pytest.mark.django_db
def test_each_step_of_an_order_and_its_return_tells_the_buyer_once():
    order = return_requested_order()
    order_receive_return(order=order)
    _notify_all_events(order)
    _notify_all_events(order)  # a retried task adds nothing

    kinds = [n.kind for n in _notices(order.user)]
    assert kinds == [
        Kind.ORDER_PAID,
        Kind.ORDER_CLEARED,
        Kind.ORDER_SHIPPED,
        Kind.ORDER_DELIVERED,
        Kind.RETURN_RECEIVED,
    ]  # declared to customs and "return requested" (the buyer's own doing) tell nobody
    assert all(n.inbox == Notification.Inbox.NOTICES and n.actor_id is None for n in _notices(order.user))
    assert all(n.link == reverse("mall:order", args=[order.number]) for n in _notices(order.user))

    refunds = order_refund(order_id=order.pk, reason="return")
    assert [r.state for r in refunds] == [Refund.State.SUCCEEDED]
    assert notify_refund(refund_id=refunds[0].pk) == 1
    assert notify_refund(refund_id=refunds[0].pk) == 0
    refund_notice = Notification.objects.get(recipient=order.user, kind=Kind.REFUND_MADE)
    assert refund_notice.params == {"number": order.number, "amount": f"{order.total:.2f}"}
    assert f"{order.total:.2f}" in refund_notice.message


@pytest.mark.django_db
def test_a_parcel_the_carrier_delivered_tells_the_buyer_once_however_often_beat_polls(
    settings, django_capture_on_commit_callbacks
):
    settings.CARRIER_SANDBOX_MINUTES = 60
    order = paid_order(cross_border=False)
    order_ship(order=order, tracking_number="SF1234567890", carrier="sf_express")
    order.refresh_from_db()
    sent = []
    with time_machine.travel(order.shipped_at + datetime.timedelta(hours=2), tick=False):
        for _run in range(2):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                parcels_poll()
            sent += [
                args
                for name, args in enqueued(callbacks)
                if name == "community.tasks.notify_order_event_task"
            ]
    delivered = OrderEvent.objects.get(order=order, to_state=Order.State.DELIVERED)
    assert sent == [(delivered.pk,)]
    for (event_id,) in sent * 2:  # the task, and a retry of it
        notify_order_event(order_event_id=event_id)
    notice = Notification.objects.get(recipient=order.user, kind=Kind.ORDER_DELIVERED)
    assert notice.params == {"number": order.number, "state": Order.State.DELIVERED}


@pytest.mark.django_db
def test_the_return_parcel_tells_nobody_and_its_receipt_tells_the_buyer_once(
    django_capture_on_commit_callbacks,
):
    order = return_requested_order()
    order_approve_return(order=order)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order_return_parcel(order=order, carrier="ems", tracking_number="EM123456789", actor=order.user)
    assert enqueued(callbacks) == []  # the buyer's own doing
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order_receive_return(order=order)
    received = OrderEvent.objects.get(order=order, to_state=Order.State.RETURNED)
    assert ("community.tasks.notify_order_event_task", (received.pk,)) in enqueued(callbacks)
    assert notify_order_event(order_event_id=received.pk) == 1
    assert notify_order_event(order_event_id=received.pk) == 0
    assert Notification.objects.filter(recipient=order.user, kind=Kind.RETURN_RECEIVED).count() == 1


@pytest.mark.django_db
def test_an_approved_return_tells_the_buyer_once(client, django_capture_on_commit_callbacks):
    order = return_requested_order()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert order_approve_return(order=order) is True
    assert ("community.tasks.notify_return_approved_task", (order.pk,)) in enqueued(callbacks)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert order_approve_return(order=order) is False  # a second operator's click
    assert enqueued(callbacks) == []
    assert order.events.last().message == "Return approved."

    assert notify_return_approved(order_id=order.pk) == 1
    assert notify_return_approved(order_id=order.pk) == 0
    notice = Notification.objects.get(kind=Kind.RETURN_APPROVED)
    assert (notice.recipient_id, notice.link) == (order.user_id, reverse("mall:order", args=[order.number]))
    client.force_login(order.user)
    assert order.number in client.get(URL, {"inbox": "notices"}, **EN).content.decode()


@pytest.mark.django_db
def test_transitions_and_refunds_enqueue_the_notice_task_after_commit(django_capture_on_commit_callbacks):
    order = paid_order(cross_border=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order_ship(order=order, tracking_number="YT424242", carrier="yto")
    event = OrderEvent.objects.get(order=order, to_state=Order.State.SHIPPED)
    assert ("community.tasks.notify_order_event_task", (event.pk,)) in enqueued(callbacks)

    unshipped = paid_order(cross_border=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refunds = order_refund(order_id=unshipped.pk, reason="changed my mind")
    names = [name for name, _args in enqueued(callbacks)]
    assert ("community.tasks.notify_refund_task", (refunds[0].pk,)) in enqueued(callbacks)
    # Refunded is not a notice of its own: the refund's success is.
    assert "community.tasks.notify_order_event_task" not in names


@pytest.mark.django_db
def test_order_notices_read_in_the_readers_language(client):
    order = paid_order(cross_border=False)
    order_ship(order=order, tracking_number="SF777777", carrier="sf_express")
    _notify_all_events(order)
    client.force_login(order.user)

    english = client.get(URL, {"inbox": "notices"}, **EN).content.decode()
    chinese = client.get(URL, {"inbox": "notices"}, **ZH).content.decode()
    assert "Shipped" in english and "已发货" not in english
    assert "已发货" in chinese and "已付款" in chinese
    api = client.get("/api/notifications/", {"inbox": "notices"}, **ZH).json()["results"]
    assert any(
        "已发货" in row["text"] and row["link"] == reverse("mall:order", args=[order.number]) for row in api
    )


# --- moderation and partnerships ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_hidden_note_tells_its_writer_why_and_how_to_appeal(
    client, django_capture_on_commit_callbacks, settings
):
    settings.MODERATION_APPEAL_EMAIL = "appeals@hongshu.test"
    writer, operator = UserFactory(), UserFactory(is_staff=True)
    reporters = UserFactory.create_batch(3)
    note = NoteFactory(author=writer, title="My spring haul")
    moderation.report_create(reporter=reporters[0], note=note, reason=Report.Reason.SPAM)
    moderation.report_create(reporter=reporters[1], note=note, reason=Report.Reason.SPAM)
    moderation.report_create(reporter=reporters[2], note=note, reason=Report.Reason.FAKE)

    with django_capture_on_commit_callbacks() as callbacks:
        assert moderation.note_hide(note=note, operator=operator)
    ((name, args),) = enqueued(callbacks)
    assert name == "community.tasks.notify_note_hidden_task" and args[:2] == (note.pk, "spam")
    assert notify_note_hidden(note_id=args[0], reason=args[1], hidden_at=args[2]) == 1
    assert notify_note_hidden(note_id=args[0], reason=args[1], hidden_at=args[2]) == 0

    (notice,) = _notices(writer)
    assert (notice.kind, notice.note_id, notice.link) == (Kind.NOTE_HIDDEN, note.pk, f"/notes/{note.pk}/")
    assert not any(_notices(r) for r in reporters)
    assert notification_unread_count(writer) == 1
    client.force_login(writer)
    chinese = client.get(URL, {"inbox": "notices"}, **ZH).content.decode()
    assert "垃圾广告" in chinese and "appeals@hongshu.test" in chinese and "My spring haul" in chinese


@pytest.mark.django_db
def test_hiding_an_already_hidden_note_tells_nobody_again(django_capture_on_commit_callbacks):
    note = NoteFactory()
    moderation.note_hide(note=note, operator=None)
    with django_capture_on_commit_callbacks() as callbacks:
        assert moderation.note_hide(note=note, operator=None) is False
    assert enqueued(callbacks) == []


@pytest.mark.django_db
def test_a_partnership_invites_the_writer_named_in_it(client, django_capture_on_commit_callbacks):
    writer, other = UserFactory(), UserFactory()
    partnership = Partnership(
        brand=BrandFactory(name="Glow Lab"),
        writer=writer,
        title="Spring glow",
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 31),
    )
    with django_capture_on_commit_callbacks() as callbacks:
        partnership_record(partnership=partnership, operator=UserFactory(is_staff=True))
    assert enqueued(callbacks) == [("community.tasks.notify_partnership_task", (partnership.pk,))]
    assert notify_partnership(partnership_id=partnership.pk) == 1
    assert notify_partnership(partnership_id=partnership.pk) == 0

    (notice,) = _notices(writer)
    assert notice.link == reverse("community:note_new") and not _notices(other)
    assert "Glow Lab" in notice.message and "Spring glow" in notice.message
    client.force_login(writer)
    assert 'data-kind="partnership"' in client.get(URL, {"inbox": "notices"}).content.decode()


# --- the page ----------------------------------------------------------------------------------------------


def _fill_notices(user, count: int) -> list[Notification]:
    kinds = [k for k, inbox in Notification.INBOX_OF.items() if inbox == Notification.Inbox.NOTICES]
    note = NoteFactory(author=user)
    params = {"number": "HS1", "state": "shipped", "carrier": "SF", "tracking": "1", "sale_id": 1,
              "title": "t", "reason": "spam", "brand": "b", "campaign": "c", "starts_on": "2026-01-01",
              "ends_on": "2026-02-01", "amount": "1.00"}  # fmt: skip
    return [
        Notification.objects.create(
            recipient=user,
            kind=kinds[i % len(kinds)],
            inbox=Notification.Inbox.NOTICES,
            note=note if kinds[i % len(kinds)] == Kind.NOTE_HIDDEN else None,
            params=params,
            dedupe_key=f"test-notice:{i}",
        )
        for i in range(count)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 12])
def test_the_notices_inbox_runs_a_fixed_number_of_queries_whatever_its_size(
    client, size, django_assert_num_queries
):
    user = UserFactory()
    _fill_notices(user, 14)
    client.force_login(user)
    # The same six as every inbox: session user, unread counts, the page, the savepoint pair and the
    # UPDATE marking read; the badge takes the unread counts' figure (was 7 with its own count). Words and
    # links are made without the database.
    with django_assert_num_queries(6):
        response = client.get(URL, {"inbox": "notices", "size": size})
    html = response.content.decode()
    assert html.count('data-testid="notification"') == size
    assert html.count('data-testid="notification-link"') == size
