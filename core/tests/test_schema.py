import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_openapi_schema_generates_without_warnings(tmp_path):
    """Every API view documents itself; name collisions or undocumented auth fail here, not in deploy."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").stat().st_size > 10_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/auth/token/", "/api/mall/cart/", "/api/mall/checkout/", "/api/notes/"]
)
def test_json_nested_past_the_decoders_depth_is_a_400_on_any_endpoint(path):
    from rest_framework.test import APIClient

    from accounts.tests.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory())
    body = "[" * 50_000 + "]" * 50_000
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
