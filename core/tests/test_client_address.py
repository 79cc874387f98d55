"""One client address for every limiter: the right-most address no trusted proxy added."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.client import UNKNOWN, client_address


def address(settings, *, proxies: int, remote: str = "10.0.0.1", forwarded: str | None = None) -> str:
    settings.PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def test_without_proxies_a_forged_header_is_ignored(settings):
    assert address(settings, proxies=0, remote="203.0.113.5", forwarded="198.51.100.1") == "203.0.113.5"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        # The client wrote the left part: rotating it changes nothing.
        (1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        (1, "9.9.9.9,8.8.8.8, 203.0.113.5", "203.0.113.5"),
        # Two proxies: the second added the first's address.
        (2, "1.2.3.4, 203.0.113.5, 10.0.0.7", "203.0.113.5"),
        (1, "2001:db8::5", "2001:db8::5"),
        (1, "[2001:db8::5]:443", "2001:db8::5"),
        (1, "203.0.113.5:51000", "203.0.113.5"),
    ],
)
def test_behind_proxies_the_right_most_address_they_did_not_add(settings, proxies, forwarded, expected):
    assert address(settings, proxies=proxies, forwarded=forwarded) == expected


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "203.0.113.5, <script>"])
def test_a_missing_or_garbled_header_falls_back_to_the_peer(settings, forwarded):
    assert address(settings, proxies=1, remote="10.0.0.1", forwarded=forwarded) == "10.0.0.1"


def test_a_header_shorter_than_the_proxy_chain_did_not_come_through_it(settings):
    assert address(settings, proxies=2, remote="10.0.0.1", forwarded="203.0.113.5") == "10.0.0.1"


def test_computed_once_per_request(settings):
    settings.PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == "203.0.113.5"
    request.META["HTTP_X_FORWARDED_FOR"] = "198.51.100.1"
    assert client_address(request) == "203.0.113.5"


def test_a_garbled_peer_is_still_an_address_to_key_on(settings):
    assert address(settings, proxies=0, remote="") == UNKNOWN
