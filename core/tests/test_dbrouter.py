"""Where reads go (core/dbrouter.py): the router's and the middleware's decisions with a replica alias
configured. These never run a query on the replica (there is none in this process); the real streaming
replica is exercised end to end in tests/scaleout/test_replica.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.db import router, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import User
from core.dbrouter import PIN_COOKIE, PIN_SALT, PRIMARY, ReplicaReadsMiddleware, read_alias
from tests.support.replicas import replica_aliases


@pytest.fixture
def replica(settings, monkeypatch):
    settings.DATABASE_PIN_SECONDS = 5
    with replica_aliases(settings, monkeypatch, checked=True):
        yield settings


def serve(request, *, view=None):
    """Runs ``request`` through the middleware; the view reports where a read would go."""
    seen = {}

    def get_response(req):
        seen["read"] = read_alias()
        if view:
            view()
        return HttpResponse("ok")

    response = ReplicaReadsMiddleware(get_response)(request)
    return seen["read"], response


def pin_cookie_of(response) -> str | None:
    morsel = response.cookies.get(PIN_COOKIE)
    return morsel.value if morsel else None


def test_without_a_replica_every_read_goes_to_the_primary_and_nobody_is_pinned(settings):
    assert settings.DATABASE_REPLICAS == []
    read, response = serve(RequestFactory().get("/notes/"))
    assert read == PRIMARY
    assert pin_cookie_of(response) is None
    read, response = serve(RequestFactory().post("/api/notes/1/like/"))
    assert (read, pin_cookie_of(response)) == (PRIMARY, None)


def test_a_plain_read_goes_to_the_replica_and_sets_no_pin(replica):
    read, response = serve(RequestFactory().get("/notes/"))
    assert read == "replica"
    assert pin_cookie_of(response) is None


def test_outside_a_request_reads_go_to_the_primary(replica):
    """Celery tasks, the materialiser, commands: they act on what was just committed."""
    assert read_alias() == PRIMARY
    assert router.db_for_read(User) == PRIMARY


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_go_to_the_primary(replica):
    def view():
        with transaction.atomic():
            view.inside = read_alias()
        view.after = read_alias()

    read, _ = serve(RequestFactory().get("/notes/"), view=view)
    assert (read, view.inside, view.after) == ("replica", PRIMARY, "replica")


def test_select_for_update_and_writes_go_to_the_primary(replica):
    def view():
        view.locking = User.objects.select_for_update().filter(pk=1).db
        view.plain = User.objects.filter(pk=1).db

    serve(RequestFactory().get("/notes/"), view=view)
    assert (view.locking, view.plain) == (PRIMARY, "replica")


def test_a_write_pins_the_writer_to_the_primary_for_the_window(replica):
    factory = RequestFactory()
    read, response = serve(factory.post("/api/notes/1/comments/"))
    assert read == PRIMARY
    cookie = pin_cookie_of(response)
    assert (
        cookie and response.cookies[PIN_COOKIE]["max-age"] == 5 and response.cookies[PIN_COOKIE]["httponly"]
    )

    with time_machine.travel(timezone.now() + timedelta(seconds=4), tick=False):
        again = factory.get("/notes/1/")
        again.COOKIES[PIN_COOKIE] = cookie
        assert serve(again)[0] == PRIMARY  # reads their own comment
    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
        later = factory.get("/notes/1/")
        later.COOKIES[PIN_COOKIE] = cookie
        assert serve(later)[0] == "replica"  # the window is over: the signature's timestamp says so


def test_a_get_that_writes_through_the_orm_pins_too(replica):
    """A session saved during a GET, a lazily created profile: the router saw the write."""
    read, response = serve(RequestFactory().get("/notes/"), view=lambda: router.db_for_write(User))
    assert read == "replica"
    assert pin_cookie_of(response)


@pytest.mark.parametrize(
    "cookie",
    ["1", "1:abc:def", "", "x" * 300],
    ids=["unsigned", "forged-signature", "empty", "long"],
)
def test_a_forged_pin_cookie_pins_nothing(replica, cookie):
    request = RequestFactory().get("/notes/")
    request.COOKIES[PIN_COOKIE] = cookie
    assert serve(request)[0] == "replica"


def test_a_pin_signed_for_something_else_pins_nothing(replica):
    request = RequestFactory().get("/notes/")
    request.COOKIES[PIN_COOKIE] = signing.get_cookie_signer(salt=PIN_COOKIE + "other").sign("1")
    assert serve(request)[0] == "replica"
    request.COOKIES[PIN_COOKIE] = signing.get_cookie_signer(salt=PIN_COOKIE + PIN_SALT).sign("1")
    assert serve(request)[0] == PRIMARY


@pytest.mark.parametrize(
    "path",
    [
        "/flash/", "/api/flash/sales/", "/api/flash/sales/3/buy/", "/mall/checkout/", "/api/mall/checkout/",
        "/mall/orders/HS1/status/", "/api/mall/orders/", "/api/mall/cart/", "/pay/sandbox/abc/",
        "/api/payments/orders/HS1/pay/", "/admin/mall/order/", "/accounts/login/",
    ],
)  # fmt: skip
def test_flash_sale_checkout_payment_and_order_pages_always_read_the_primary(replica, path):
    assert serve(RequestFactory().get(path))[0] == PRIMARY


def test_the_router_never_migrates_a_replica():
    r = router.routers[0]
    assert r.allow_migrate(PRIMARY, "mall") is True
    assert r.allow_migrate("replica", "mall") is False


def test_one_request_reads_from_one_replica_and_requests_spread_over_them(settings, monkeypatch):
    chosen = []

    def view():
        reads = {read_alias() for _ in range(20)}
        assert len(reads) == 1  # its reads agree with each other
        chosen.append(reads.pop())

    with replica_aliases(settings, monkeypatch, up=("replica", "replica2"), checked=True):
        for _ in range(40):
            serve(RequestFactory().get("/notes/"), view=view)
    assert set(chosen) == {"replica", "replica2"}
