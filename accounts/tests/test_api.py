import pytest
from rest_framework.test import APIClient

from accounts.models import Address, CustomsIdentity
from accounts.tests.factories import (
    PASSWORD,
    AddressFactory,
    CustomsIdentityFactory,
    UserFactory,
    valid_id_number,
)
from tests.support import images

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    user = UserFactory()
    client.force_authenticate(user)
    client.user = user
    return client


def test_token_login_then_me():
    user = UserFactory()
    client = APIClient()
    token = client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/me/").json()["username"] == user.username


def test_wrong_password_is_a_clear_400():
    user = UserFactory()
    response = APIClient().post("/api/auth/token/", {"username": user.username, "password": "nope"})
    assert response.status_code == 400
    assert "Wrong username or password" in response.json()["detail"]


def test_profile_patch_validates(api):
    assert api.patch("/api/me/", {"phone": "123"}, format="json").status_code == 400
    response = api.patch("/api/me/", {"nickname": "新名字", "likes_private": True}, format="json")
    assert response.status_code == 200
    assert response.json()["nickname"] == "新名字"


def test_avatar_upload_refuses_a_bomb(api):
    response = api.put("/api/me/avatar/", {"avatar": images.png_bomb()}, format="multipart")
    assert response.status_code == 400
    assert "pixels" in str(response.json()["avatar"])
    ok = api.put("/api/me/avatar/", {"avatar": images.png()}, format="multipart")
    assert ok.status_code == 200 and ok.json()["avatar"].endswith(".webp")


def test_address_crud(api):
    data = {
        "recipient": "张三",
        "phone": "13800138000",
        "province": "上海市",
        "city": "上海市",
        "detail": "1 号",
    }
    created = api.post("/api/addresses/", data, format="json")
    assert created.status_code == 201 and created.json()["is_default"]
    address_id = created.json()["id"]
    assert (
        api.patch(f"/api/addresses/{address_id}/", {"city": "苏州市"}, format="json").json()["city"]
        == "苏州市"
    )
    assert api.delete(f"/api/addresses/{address_id}/").status_code == 204
    assert not Address.objects.exists()


def test_identities_are_masked_in_the_api(api):
    number = valid_id_number(21)
    created = api.post("/api/identities/", {"real_name": "王小明", "id_number": number}, format="json")
    assert created.status_code == 201
    listing = api.get("/api/identities/")
    for response in (created, listing, api.get(f"/api/identities/{created.json()['id']}/")):
        assert number not in response.content.decode()
    assert listing.json()[0]["id_number"] == number[0] + "*" * 16 + number[-1]
    assert listing.json()[0]["real_name"] == "王**"


def test_identity_with_a_wrong_check_digit_is_refused(api):
    number = valid_id_number(22)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = api.post("/api/identities/", {"real_name": "王小明", "id_number": wrong}, format="json")
    assert response.status_code == 400
    assert "check digit" in str(response.json()["id_number"])
    assert not CustomsIdentity.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/addresses/{a}/"),
        ("patch", "/api/addresses/{a}/"),
        ("delete", "/api/addresses/{a}/"),
        ("get", "/api/identities/{i}/"),
        ("post", "/api/identities/{i}/"),
        ("delete", "/api/identities/{i}/"),
    ],
)
def test_another_users_rows_answer_404(api, method, path):
    other = UserFactory()
    address = AddressFactory(user=other, is_default=True)
    identity = CustomsIdentityFactory(user=other, is_default=False)
    response = getattr(api, method)(path.format(a=address.pk, i=identity.pk), {"city": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Address.objects.filter(pk=address.pk, city="上海市").exists()
    assert CustomsIdentity.objects.filter(pk=identity.pk, is_default=False).exists()


def test_lists_only_show_my_rows(api):
    AddressFactory(user=UserFactory())
    CustomsIdentityFactory(user=UserFactory())
    assert api.get("/api/addresses/").json() == []
    assert api.get("/api/identities/").json() == []


def test_schema_documents_the_accounts_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ["/api/auth/token/", "/api/me/", "/api/addresses/{address_id}/", "/api/identities/"]:
        assert path in schema["paths"]


def test_docs_load_no_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html
