"""Rules every API operation keeps, checked over the OpenAPI schema itself (so a new operation is held to
them the day it is added), and the regressions the schema fuzzing (test_schema.py) and an outside run found:
refusals documented with one error body, page sizes and filters typed with the bounds the server holds,
unknown enum values refused, a forged cursor the same 400 on every list, DELETE a bodiless 204."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from community.models import Collect, Follow, Like
from mall.models import CartLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    response = APIClient().get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


def _client(world, role: str | None = "operator") -> APIClient:
    client = APIClient()
    if role:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world['tokens'][role]}")
    return client


def _url(path: str, world) -> str:
    for name, value in world["known"].items():
        path = path.replace("{" + name + "}", str(value))
    return path


# --- refusals documented -----------------------------------------------------------------------------


# A flash-sale refusal is the buy answer itself (a status and a message the sale page shows as it is).
OWN_REFUSAL_BODIES = {("POST", "/api/flash/sales/{sale_id}/buy/", "409")}


def test_every_operation_documents_its_refusals_with_the_one_error_body(schema):
    missing = []
    for method, path, operation in _operations(schema):
        responses = operation["responses"]
        expected = {"400"}
        if "{" in path or method != "GET":
            expected.add("404")
        if operation.get("security") != [{}] and path != "/api/payments/webhook/sandbox/":
            expected.add("403")
        if method != "GET":
            expected.add("409")
        for code in sorted(expected - set(responses)):
            missing.append(f"{method} {path} {code}")
        for code, response in responses.items():
            ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else {}
            if (method, path, code) in OWN_REFUSAL_BODIES:
                continue
            if code.startswith("4") and ref and "detail" not in body.get("properties", {}):
                missing.append(f"{method} {path} {code} answers {ref}")  # no message to show
    assert missing == []
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"detail", "code", "field"}


def test_a_delete_is_documented_as_a_bodiless_204(schema):
    for method, path, operation in _operations(schema):
        if method == "DELETE":
            assert "204" in operation["responses"] and "200" not in operation["responses"], path
            assert "content" not in operation["responses"]["204"], path


def test_page_sizes_and_counts_carry_the_bounds_the_server_holds(schema):
    loose = []
    for method, path, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["name"] in {"page_size", "limit"}:
                bounds = parameter["schema"]
                if bounds.get("minimum") != 1 or not bounds.get("maximum"):
                    loose.append(f"{method} {path} ?{parameter['name']}")
    assert loose == []


def test_an_avatar_may_be_null_wherever_a_person_is_shown(schema):
    for name, component in schema["components"]["schemas"].items():
        avatar = component.get("properties", {}).get("avatar")
        if avatar and not avatar.get("writeOnly") and not name.endswith("Request"):
            assert avatar.get("nullable") is True, name


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("post", "/api/flash/sales/{sale_id}/buy/", {"429", "503"}),  # found by the fuzzing: a 429
        ("post", "/api/identities/", {"429"}),
        ("post", "/api/identities/disputes/", {"429"}),
    ],
)
def test_domain_limits_are_documented_where_they_are_raised(schema, method, path, statuses):
    assert statuses <= set(schema["paths"][path][method]["responses"])
    assert "429" not in schema["paths"]["/api/identities/"]["get"]["responses"]


def test_a_body_taking_write_documents_415(schema):
    for method, path, operation in _operations(schema):
        if "requestBody" in operation:
            assert "415" in operation["responses"], f"{method} {path}"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/addresses/", {"recipient": "张三", "phone": "13800138000", "detail": ""}),
        ("/api/reports/", {"reason": "spam", "detail": "x" * 301}),
    ],
)
def test_a_field_named_detail_answers_a_list_the_error_schema_allows(schema, world, path, body):
    """Found by the negative fuzzing: a form's field ``detail`` answers its messages as a list under the
    error body's ``detail``, which the schema typed a string."""
    response = _client(world, "shopper").post(path, body, format="json")
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], list)
    allowed = schema["components"]["schemas"]["Error"]["properties"]["detail"]["oneOf"]
    assert {"type": "array", "items": {"type": "string"}} in allowed


def test_the_webhook_reads_only_json(schema):
    operation = schema["paths"]["/api/payments/webhook/sandbox/"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json"}
    assert "415" in operation["responses"]


# --- behaviour that agrees with the schema -----------------------------------------------------------


def test_a_forged_cursor_is_the_same_400_on_every_list(schema, world):
    answers = {}
    for method, path, operation in _operations(schema):
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        if method == "GET" and "cursor" in names:
            params = {"cursor": "forged.cursor", **({"q": "cream"} if "q" in names else {})}
            response = _client(world).get(_url(path, world), params)
            answers[path] = (response.status_code, response.json().get("code"))
    assert len(answers) >= 20
    assert {path: answer for path, answer in answers.items() if answer != (400, "bad_cursor")} == {}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/mall/products/", {"sort": "cheapest-first"}),
        ("/api/mall/orders/", {"tab": "forgotten"}),
        ("/api/notes/", {"author": "writer"}),
        ("/api/notes/", {"drafts": "perhaps"}),
    ],
)
def test_an_unknown_filter_value_is_a_clear_400(world, path, params):
    response = _client(world, "shopper").get(path, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)  # the field at fault, with its message


def test_known_filter_values_still_work(world):
    shopper = _client(world, "shopper")
    assert shopper.get("/api/mall/products/", {"sort": "price_asc"}).status_code == 200
    assert shopper.get("/api/mall/products/", {"sort": ""}).status_code == 200
    assert len(shopper.get("/api/mall/orders/", {"tab": "unpaid"}).json()["results"]) == 1
    writer_id = world["known"]["user_id"]
    assert len(shopper.get("/api/notes/", {"author": writer_id}).json()["results"]) == 1


def test_delete_answers_204_without_a_body_and_the_row_goes(world):
    shopper = _client(world, "shopper")
    known = world["known"]
    note, writer = known["note_id"], known["user_id"]
    assert shopper.post(f"/api/notes/{note}/like/").status_code == 200
    assert shopper.post(f"/api/notes/{note}/collect/", {}, format="json").status_code == 200
    assert shopper.post(f"/api/users/{writer}/follow/").status_code == 200
    assert shopper.post(f"/api/comments/{known['comment_id']}/like/").status_code == 200

    for url in (
        f"/api/notes/{note}/like/",
        f"/api/notes/{note}/collect/",
        f"/api/users/{writer}/follow/",
        f"/api/comments/{known['comment_id']}/like/",
        f"/api/mall/cart/lines/{known['line_id']}/",
    ):
        response = shopper.delete(url)
        assert (response.status_code, response.content) == (204, b""), url
    assert not (Like.objects.exists() or Collect.objects.exists() or Follow.objects.exists())
    assert not CartLine.objects.filter(pk=known["line_id"]).exists()


# --- bodies that cannot be read --------------------------------------------------------------------------

# Django cannot even start on these: no boundary, or an empty one.
BROKEN_MULTIPART = ["multipart/form-data", "multipart/form-data; boundary="]


@pytest.mark.parametrize("content_type", BROKEN_MULTIPART)
@pytest.mark.parametrize(
    "path", ["/api/notes/", "/api/mall/cart/", "/api/payments/webhook/sandbox/", "/accounts/login/"]
)
def test_a_malformed_multipart_body_is_a_400_with_one_short_log_line(world, caplog, path, content_type):
    caplog.set_level(logging.WARNING)
    response = _client(world, "writer").generic("POST", path, b"--x\r\n", content_type=content_type)
    assert response.status_code == 400
    assert "The form in this request could not be read." in response.content.decode()
    assert not [record for record in caplog.records if record.exc_info]  # no traceback
    assert any("unreadable form body" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "multipart/form-data; boundary=xyz",
            b'--xyz\r\nContent-Disposition: form-data; name="id"\r\n\r\n1\r\n--xyz--\r\n',
        ),
        ("application/x-www-form-urlencoded", b"id=1&type=payment.succeeded"),
        ("text/plain", b"{}"),
    ],
)
def test_the_webhook_answers_a_form_body_415_not_500(world, content_type, body):
    response = APIClient().generic("POST", "/api/payments/webhook/sandbox/", body, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["detail"]
