"""CSRF sweep (issue 13): every route, with every state-changing method (POST, PUT, PATCH, DELETE, and a
POST as htmx sends it), is sent by a signed-in session without a CSRF token. The session is the owner's
own, on the owner's own objects, so each request would change something if it got through: every answer
must be the CSRF refusal (403) or 405, and afterwards nothing of the owner's has changed. The admin is
swept the same way with a superuser's session.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.sweep import PRIVATE, PUBLIC, SAME_AS_MISSING, admin_values, build_world, snapshot
from tests.support.urlwalk import routes

WRITES = ("post", "put", "patch", "delete", "htmx-post")

#: Routes that take writes without a CSRF token by design, and why.
CSRF_EXEMPT = {
    # The payment gateway's signed webhook: no session, no cookie; the signature is the authentication.
    "payments_api:webhook_sandbox",
    # Trades a username and password for an API token: no session is read or made, and a cross-site page
    # can neither send the password nor read the token.
    "api-token",
}

#: Routes whose CSRF refusal cannot say why: the Swagger page renders any DRF error as a bare 403.
BARE_REFUSALS = {"api-docs"}


def _values(route, world) -> dict:
    if route.is_admin:
        return admin_values(route, world)
    if not route.params:
        return {}
    for registry in (PRIVATE, PUBLIC):
        if route.key in registry:
            return registry[route.key](world)[0]
    return SAME_AS_MISSING[route.key](world)[0]


def _send(client: Client, method: str, path: str):
    if method == "htmx-post":
        return client.post(path, headers={"HX-Request": "true"})
    return getattr(client, method)(path)


def _csrf_refusal(route, response) -> bool:
    if response.status_code == 405:
        return True
    return response.status_code == 403 and (route.key in BARE_REFUSALS or b"csrf" in response.content.lower())


@pytest.mark.django_db
@pytest.mark.parametrize("area", ["site", "admin"])
def test_no_write_gets_through_without_a_csrf_token(area):
    world = build_world()
    before = snapshot(world)
    user = world.owner
    if area == "admin":
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
        before = snapshot(world)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    swept = [r for r in routes() if r.is_admin == (area == "admin") and r.key not in CSRF_EXEMPT]
    failures, requests = [], 0
    for route in swept:
        path = route.path(**_values(route, world))
        for method in WRITES:
            response = _send(client, method, path)
            requests += 1
            if not _csrf_refusal(route, response):
                failures.append(f"{method.upper()} {path} [{route.key}] -> {response.status_code}")
            if route.key in ("accounts:logout", "admin:logout"):
                client.force_login(user)
    print(f"\nCSRF sweep of the {area}: {len(swept)} routes, {requests} requests without a token")
    assert not failures, "\n".join(failures)
    assert snapshot(world) == before
    assert len(swept) > 60
