"""Access sweep (issue 13): every route the resolver knows is tried with every method by people who do not
own what it points at. One owner has private things (a draft, a private note and its comment, a private
board with a collect, an address, a customs identity, an order and its payment, a cart line, a
notification, a flash-sale request, a reminder), each marked with a secret string (tests/support/sweep.py).
Then anonymous and another signed-in user try GET, HEAD, POST, PUT, PATCH and DELETE on every route, and on
/admin/ also a signed-in non-staff user and a member of staff with no permission:

- a route that points at the owner's private object (``PRIVATE``) refuses them all (a redirect to the
  login page, 401, 403, 404 or 405), with the same status a never-made object gets;
- the owner's public note, comment and board (``OWNERS_PUBLIC_OBJECT``) may be read, never edited;
- a route that answers for any id (``SAME_AS_MISSING``) answers the owner's one like a never-made one;
- a route public by design (``PUBLIC``) may answer, but never with a secret marker;
- a route without a parameter refuses anonymous visitors unless listed (``PUBLIC_WITHOUT_PARAMETERS``);
- no answer is a 5xx, and afterwards every row of the owner's (and every row anyone made on the owner's
  notes) is exactly as it was;
- query parameters that take a note id, an author, drafts or a search term (from the API schema, and the
  pages that take them) never find the owner's private notes.

A route with a parameter that is in no registry fails the test: a new route must say who may reach it.
Each sweep prints its figures (routes, requests); run with ``-s`` or ``-rP`` to see them.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import UserFactory
from tests.support.sweep import (
    MARK,
    OWNERS_PUBLIC_OBJECT,
    PRIVATE,
    PUBLIC,
    PUBLIC_WITHOUT_PARAMETERS,
    SAME_AS_MISSING,
    SEARCH_WORD,
    admin_values,
    build_world,
    snapshot,
)
from tests.support.urlwalk import routes

METHODS = ("get", "head", "post", "put", "patch", "delete")
LOGOUTS = {"accounts:logout", "admin:logout"}


def _site_routes():
    return [r for r in routes() if not r.is_admin]


def test_every_route_with_a_parameter_says_who_may_reach_it():
    """The registries cover the resolver exactly: nothing unclassified, nothing stale, nothing twice."""
    walked = _site_routes()
    with_parameters = {r.key for r in walked if r.params}
    registries = (PRIVATE, PUBLIC, SAME_AS_MISSING)
    classified = set().union(*registries)
    unclassified = sorted(with_parameters - classified)
    assert unclassified == [], "classify these routes in tests/support/sweep.py (PRIVATE, PUBLIC, ...)"
    assert sorted(classified - with_parameters) == []
    assert sum(len(r) for r in registries) == len(classified), "a route is in two registries"
    assert sorted(OWNERS_PUBLIC_OBJECT.keys() - PRIVATE.keys()) == []
    without = {r.key for r in walked if not r.params} | {r.key for r in routes() if r.is_admin}
    assert sorted(PUBLIC_WITHOUT_PARAMETERS.keys() - without) == []
    assert len(with_parameters) > 60


def test_every_api_operation_with_a_parameter_is_swept():
    """The API schema's operations, read by drf-spectacular, resolve to routes the sweep knows."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = 0
    for path, item in schema["paths"].items():
        if "{" not in path:
            continue
        # Any value the route's converters take: an order's action is one of three words, the rest ids.
        sample = re.sub(r"\{(\w+)\}", lambda m: "cancel" if m[1] == "action" else "1", path)
        match = resolve(sample)
        key = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        assert key in PRIVATE or key in PUBLIC or key in SAME_AS_MISSING, f"{path} ({key}) is not swept"
        operations += sum(1 for method in item if method in METHODS)
    print(f"\nschema: {operations} API operations with a parameter, all on swept routes")
    assert operations > 30


def _query_probes(world) -> dict:
    """Query parameters that name an object or search for text, with the owner's private values."""
    return {
        "note": [world.draft.pk, world.private_note.pk],
        "author": [world.owner.pk],
        "drafts": ["1"],
        "q": [SEARCH_WORD],
    }


#: Pages (not in the API schema) that take the same query parameters.
PAGES_WITH_QUERIES = {
    "community:search": ["q"],
    "community:search_suggest": ["q"],
    "community:creator_stats": ["note"],
    "mall:search": ["q"],
    "mall:products": ["q"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["anonymous", "another-user"])
def test_no_query_finds_what_is_not_theirs(kind):
    """Every API operation (from the schema) and page that takes a note id, an author, drafts or a search
    term is asked for the owner's private things by name and by their secret text: never shown, never a
    5xx."""
    world = build_world()
    probes = _query_probes(world)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    asked = []
    for path, item in schema["paths"].items():
        if "{" in path or "get" not in item:
            continue
        names = [
            p["name"] for p in item["get"].get("parameters", []) if p["in"] == "query" and p["name"] in probes
        ]
        asked += [(path, {name: value}) for name in names for value in probes[name]]
        if len(names) > 1:
            asked.append((path, {name: probes[name][0] for name in names}))
    for name, params in PAGES_WITH_QUERIES.items():
        asked += [(reverse(name), {param: value}) for param in params for value in probes[param]]
    client, _user = _visitor(kind)
    failures = []
    for path, query in asked:
        response = client.get(path, query)
        said = f"GET {path}?{query} -> {response.status_code}"
        if response.status_code >= 500:
            failures.append(f"{said}: a server error")
        if MARK.encode() in _body(response):
            failures.append(f"{said}: shows the owner's secret")
    print(f"\nquery sweep as {kind}: {len(asked)} requests")
    assert not failures, "\n".join(failures)
    assert len(asked) > 10
    # The search does find the word where it is public, so the searches above were real ones.
    found = client.get(reverse("api-search-notes"), {"q": SEARCH_WORD}).json()["results"]
    assert [note["id"] for note in found] == [world.public_note.pk]


def _refused(response, login: str) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and response["Location"].startswith(login)


def _body(response) -> bytes:
    return b"" if response.streaming else response.content


_PER_REQUEST = re.compile(rb'[A-Za-z0-9]{64}|nonce="[^"]*"')


def _seen(response, path: str) -> tuple:
    """What a visitor learns from an answer, less what differs on every request (tokens, nonces) and the
    path it was asked for."""
    body = _PER_REQUEST.sub(b"", _body(response).replace(path.encode(), b"PATH"))
    for part in path.strip("/").split("/"):
        body = body.replace(part.encode(), b"PART")
    return response.status_code, body


class Sweep:
    def __init__(self, client: Client, user=None):
        self.client, self.user = client, user
        self.requests = 0
        self.failures: list[str] = []

    def hit(self, route, values: dict, *, must_refuse, login: str, missing: dict | None = None) -> None:
        """``must_refuse``: True, False, or the methods that must be refused. With ``missing`` (the values
        of objects that do not exist), each refusal must also be the one a missing object gets."""
        path = route.path(**values)
        for method in METHODS:
            response = getattr(self.client, method)(path)
            self.requests += 1
            said = f"{method.upper()} {path} [{route.key}] -> {response.status_code}"
            if missing is not None:
                unknown = getattr(self.client, method)(route.path(**missing))
                self.requests += 1
                if unknown.status_code != response.status_code:
                    self.failures.append(f"{said}: a missing one gets {unknown.status_code}")
            if response.status_code >= 500:
                self.failures.append(f"{said}: a server error")
            elif (must_refuse is True or method in (must_refuse or ())) and not _refused(response, login):
                self.failures.append(f"{said}: not refused")
            if MARK.encode() in _body(response):
                self.failures.append(f"{said}: shows the owner's secret")
            if route.key in LOGOUTS and self.user is not None:
                self.client.force_login(self.user)

    def same_as_missing(self, route, values: dict, missing: dict) -> None:
        path, missing_path = route.path(**values), route.path(**missing)
        for method in METHODS:
            response = getattr(self.client, method)(path)
            unknown = getattr(self.client, method)(missing_path)
            self.requests += 2
            if _seen(response, path) != _seen(unknown, missing_path):
                self.failures.append(
                    f"{method.upper()} {path} [{route.key}] -> {response.status_code}: "
                    f"not the answer for an id never made ({unknown.status_code})"
                )


def _never_made(values: dict) -> dict:
    """The same values with the object's own ids replaced by ones no row has (the product a card links
    and an order's action are not the owner's and stay)."""
    return {
        k: v
        if k in ("action", "product_id")
        else (2_000_000_000 if isinstance(v, int) else "never-made-1234")
        for k, v in values.items()
    }


def _visitor(kind: str):
    client = Client(raise_request_exception=False)
    user = None
    if kind != "anonymous":
        user = UserFactory(is_staff=kind.startswith("staff"))
        client.force_login(user)
    return client, user


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["anonymous", "another-user"])
def test_no_one_reads_or_changes_what_is_not_theirs(kind):
    world = build_world()
    before = snapshot(world)
    client, user = _visitor(kind)
    sweep = Sweep(client, user)
    login = reverse("accounts:login")
    swept = 0
    for route in _site_routes():
        if route.key in SAME_AS_MISSING:
            sweep.same_as_missing(route, *SAME_AS_MISSING[route.key](world))
            swept += 1
            continue
        if route.params:
            private = route.key in PRIVATE
            values_list = (PRIVATE if private else PUBLIC)[route.key](world)
        else:
            private = kind == "anonymous" and set(METHODS) - PUBLIC_WITHOUT_PARAMETERS.get(route.key, set())
            values_list = [{}]
        for values in values_list:
            missing = _never_made(values) if route.key in PRIVATE else None
            sweep.hit(route, values, must_refuse=private, login=login, missing=missing)
        if route.key in OWNERS_PUBLIC_OBJECT:
            values_for, readable = OWNERS_PUBLIC_OBJECT[route.key]
            for values in values_for(world):
                sweep.hit(route, values, must_refuse=set(METHODS) - readable, login=login)
        swept += 1
    print(f"\naccess sweep as {kind}: {swept} routes, {sweep.requests} requests")
    assert not sweep.failures, "\n".join(sweep.failures)
    assert snapshot(world) == before
    # A note collected into a private board is someone else's public note (no marker can be put in it):
    # it must not be listed among the owner's collects.
    collects = client.get(reverse("api-profile-collects", kwargs={"user_id": world.owner.pk})).json()
    listed = [note["id"] for note in collects["results"]]
    assert world.extra["collected_openly"].pk in listed
    assert world.collected.pk not in listed


#: What a member of staff with no permission at all may still open: their own account's pages and the
#: admin's empty index ("You don't have permission to view or edit anything").
STAFF_WITHOUT_PERMISSIONS_ANSWERED = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    # The demand view (community/admin/demand.py): totals per product, no person in it; any staff may read it.
    "admin:community_productbuzz_changelist",
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["anonymous", "non-staff", "staff-without-permissions"])
def test_the_admin_refuses_everyone_but_staff(kind):
    world = build_world()
    before = snapshot(world)
    client, user = _visitor(kind)
    sweep = Sweep(client, user)
    # Staff are sent on within the admin (an object's bare URL to its change page, a missing object to the
    # index); each of those pages is swept in its own right.
    login = reverse("admin:index") if kind.startswith("staff") else reverse("admin:login")
    admin_routes = [r for r in routes() if r.is_admin]
    for route in admin_routes:
        if kind == "staff-without-permissions":
            must_refuse = route.key not in STAFF_WITHOUT_PERMISSIONS_ANSWERED
        else:
            must_refuse = set(METHODS) - PUBLIC_WITHOUT_PARAMETERS.get(route.key, set())
        sweep.hit(route, admin_values(route, world), must_refuse=must_refuse, login=login)
    print(f"\nadmin sweep as {kind}: {len(admin_routes)} routes, {sweep.requests} requests")
    assert not sweep.failures, "\n".join(sweep.failures)
    assert snapshot(world) == before
