"""Bad ids anywhere are a 400, never a 500: every URL pattern the resolver knows is walked with each of its
parts replaced by a NUL, by a 10,000-character segment and by a number past PostgreSQL's bigint, as GET and
as POST, signed in as a shopper (and as staff for the admin). No answer may be a 5xx."""

import re

import pytest
from django.test import Client

from tests.support.urlwalk import paths as _paths

NUL = "%00"
LONG = "a" * 10_000
OVERFLOW = "9" * 20


def test_the_walk_reaches_the_paths_of_issue_12():
    walked = set(_paths(NUL))
    for path in [
        "/topics/%00/",
        "/mall/orders/%00/",
        "/pay/order/%00/",
        "/pay/sandbox/%00/",
        "/api/payments/%00/",
        "/api/mall/orders/%00/",
    ]:
        assert path in walked
    assert any(re.fullmatch(r"/flash/sales/%00/requests/%00/", path) for path in walked)
    assert any(path.startswith("/admin/mall/order/%00/") for path in walked)
    assert len(walked) > 100


def _five_hundreds(client: Client, paths) -> list[str]:
    failures = []
    for path in paths:
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {path[:120]} -> {response.status_code}")
    return failures


@pytest.mark.django_db
@pytest.mark.parametrize("value", [NUL, LONG], ids=["nul", "10000-characters"])
def test_a_nul_or_an_overlong_segment_anywhere_is_a_400(value):
    from accounts.tests.factories import UserFactory

    shopper = Client(raise_request_exception=False)
    shopper.force_login(UserFactory())
    staff = Client(raise_request_exception=False)
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    not_refused = []
    for path in _paths(value):
        client = staff if path.startswith("/admin/") else shopper
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if response.status_code != 400:
                not_refused.append(f"{method.upper()} {path[:120]} -> {response.status_code}")
    assert not_refused == []


@pytest.mark.django_db
def test_a_number_past_bigint_in_any_segment_is_not_a_500():
    """Reaches the views (it is a well-formed id): each must answer 4xx or a page, never a 500."""
    from accounts.tests.factories import UserFactory

    shopper = Client(raise_request_exception=False)
    shopper.force_login(UserFactory())
    staff = Client(raise_request_exception=False)
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    paths = _paths(OVERFLOW)
    failures = _five_hundreds(staff, [p for p in paths if p.startswith("/admin/")])
    failures += _five_hundreds(shopper, [p for p in paths if not p.startswith("/admin/")])
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "expected"),
    [("/topics/%00/", "NUL"), ("/api/mall/orders/%00/", "NUL"), ("/mall/orders/" + LONG + "/", "too long")],
)
def test_the_refusal_says_why_in_the_page_or_the_json(client, path, expected):
    response = client.get(path)
    assert response.status_code == 400
    assert expected in response.content.decode()
    if path.startswith("/api/"):
        assert expected in response.json()["detail"]
