"""The top bar and tab bar come from a per-process cache keyed by what they show (core/chrome.py): the
markup is what a fresh render gives, staff links and sign-in state never cross readers, each page's
forms carry that request's own CSRF token, the search text and the language switch's "next" are the
request's and escaped, and the unread badge and the language show at once."""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.tests.factories import NotificationFactory
from core import chrome

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


@pytest.fixture(autouse=True)
def empty_cache():
    chrome.chrome_clear()
    yield
    chrome.chrome_clear()


def chrome_of(response) -> str:
    html = response.content.decode()
    found = re.search(r'<header class="topbar">.*?</nav>', html, re.S)
    assert found, "no chrome on the page"
    return found.group(0)


def tokens(markup: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', markup)


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_the_cached_chrome_is_the_markup_a_fresh_render_gives():
    client = signed_in(UserFactory())
    client.get(SEARCH, {"q": "面霜"})  # rendered, then cached
    response = client.get(SEARCH, {"q": "面霜"})
    served = chrome_of(response)
    (token, _same) = tokens(served)
    context = response.context
    fresh = get_template("partials/chrome.html").render(
        {
            "LANG": "en",
            "SITE_NAME": context["SITE_NAME"],
            "search_url": context["search_url"],
            "nav_items": context["nav_items"],
            "user": context["user"],
            "chrome_q": "面霜",
            "chrome_next": response.wsgi_request.get_full_path(),
            "csrf_token": token,
        }
    )
    assert served == chrome_of_text(fresh)
    assert len(chrome._chrome) == 1


def chrome_of_text(html: str) -> str:
    return re.search(r'<header class="topbar">.*?</nav>', html, re.S).group(0)


def test_staff_links_and_sign_in_state_never_cross_readers():
    operator = UserFactory(is_staff=True)
    shopper = UserFactory()
    staff_chrome = chrome_of(signed_in(operator).get(SEARCH))
    assert reverse("admin:index") in staff_chrome and 'data-testid="logout"' in staff_chrome

    shopper_chrome = chrome_of(signed_in(shopper).get(SEARCH))
    assert reverse("admin:index") not in shopper_chrome and 'data-testid="logout"' in shopper_chrome

    anonymous_chrome = chrome_of(Client().get(SEARCH))
    assert 'data-testid="logout"' not in anonymous_chrome and reverse("accounts:login") in anonymous_chrome
    assert reverse("admin:index") not in anonymous_chrome


def test_each_page_carries_its_own_readers_csrf_token_and_it_works():
    first, second = signed_in(UserFactory()), signed_in(UserFactory())
    first_tokens = tokens(chrome_of(first.get(SEARCH)))
    second_tokens = tokens(chrome_of(second.get(SEARCH)))
    assert len(first_tokens) == 2 and len(second_tokens) == 2
    # Each token is the reader's own cookie secret, masked: the cached chrome never keeps one.
    first_secret = first.cookies["csrftoken"].value
    second_secret = second.cookies["csrftoken"].value
    assert first_secret != second_secret
    assert {_unmask_cipher_token(t) for t in first_tokens} == {first_secret}
    assert {_unmask_cipher_token(t) for t in second_tokens} == {second_secret}
    # And the chrome's logout form is accepted with it (CSRF enforced), another reader's is not.
    refused = first.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": second_tokens[1]})
    assert refused.status_code == 403
    accepted = first.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": first_tokens[1]})
    assert accepted.status_code == 302


def test_the_search_text_and_next_are_the_requests_and_escaped():
    client = Client()
    client.get(SEARCH, {"q": "first"})
    hostile = '"><script>alert(1)</script>'
    served = chrome_of(client.get(SEARCH, {"q": hostile}))
    assert "<script>alert(1)" not in served
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in served
    assert "first" not in served
    assert 'name="next" value="/search/?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"' in served


def test_the_unread_badge_and_the_language_show_at_once():
    reader = UserFactory()
    client = signed_in(reader)
    assert 'data-testid="unread-badge"' not in chrome_of(client.get(SEARCH))

    NotificationFactory(recipient=reader)
    assert '<span class="badge" data-testid="unread-badge">1</span>' in chrome_of(client.get(SEARCH))

    chinese = chrome_of(client.get(SEARCH, headers={"Accept-Language": "zh-hans"}))
    english = chrome_of(client.get(SEARCH))
    assert 'value="en"' in chinese and 'value="zh-hans"' in english  # the switch offers the other one
