import pytest
from django.urls import reverse

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
def user_client(client):
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize(
    "url_name", ["home", "accounts:login", "accounts:signup", "api-docs", "schema", "healthz"]
)
def test_public_pages_answer_200(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_admin_answers_for_staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/customsidentity/").status_code == 200


def test_pages_carry_csp_and_the_csrf_header_for_htmx(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert b"hx-headers" in response.content and b"X-CSRFToken" in response.content
    assert b"htmx" in response.content


def test_sign_up_logs_in(client):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "fresh", "nickname": "Fresh", "password": "a-long-Passphrase-9"},
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:me")).status_code == 200


def test_sign_up_with_bad_input_shows_errors_and_creates_nothing(client, django_user_model):
    response = client.post(reverse("accounts:signup"), {"username": "x", "password": "1"})
    assert response.status_code == 400
    assert not django_user_model.objects.filter(username="x").exists()


def test_login_and_logout(client):
    user = UserFactory()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:me")).status_code == 302


def test_profile_edit_with_avatar(user_client):
    response = user_client.post(
        reverse("accounts:profile_edit"),
        {"nickname": "小红", "bio": "hello", "phone": "", "avatar_upload": images.jpeg_with_exif()},
    )
    assert response.status_code == 302
    user_client.user.refresh_from_db()
    assert user_client.user.nickname == "小红"
    assert user_client.user.avatar.name.endswith(".webp")


@pytest.mark.parametrize(
    "upload", [images.not_an_image(), images.png_bomb(), images.oversized(5 * 1024 * 1024)]
)
def test_profile_edit_refuses_hostile_avatars_with_a_message(user_client, upload):
    response = user_client.post(
        reverse("accounts:profile_edit"), {"nickname": "changed", "avatar_upload": upload}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["avatar_upload"]
    user_client.user.refresh_from_db()
    assert not user_client.user.avatar
    assert user_client.user.nickname != "changed"


def test_address_pages(user_client):
    data = {
        "recipient": "张三",
        "phone": "13800138000",
        "province": "上海市",
        "city": "上海市",
        "detail": "1 号",
    }
    assert user_client.post(reverse("accounts:address_new"), data).status_code == 302
    address = Address.objects.get(user=user_client.user)
    assert address.is_default
    page = user_client.get(reverse("accounts:addresses"))
    assert "张三" in page.content.decode()


def test_identity_page_never_echoes_the_number(user_client):
    number = valid_id_number(11)
    response = user_client.post(reverse("accounts:identity_new"), {"real_name": "张三", "id_number": number})
    assert response.status_code == 302
    listing = user_client.get(reverse("accounts:identities")).content.decode()
    assert number not in listing
    assert number[0] + "*" * 16 + number[-1] in listing
    # A failed submission does not echo what was typed either.
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    refused = user_client.post(reverse("accounts:identity_new"), {"real_name": "张三", "id_number": wrong})
    assert refused.status_code == 400
    assert wrong not in refused.content.decode()
    assert "check digit" in refused.content.decode()
    assert CustomsIdentity.objects.count() == 1


OTHER_USERS_URLS = [
    ("get", "accounts:address_edit", "address"),
    ("post", "accounts:address_edit", "address"),
    ("post", "accounts:address_delete", "address"),
    ("post", "accounts:address_default", "address"),
    ("post", "accounts:identity_delete", "identity"),
    ("post", "accounts:identity_default", "identity"),
]


@pytest.mark.parametrize(("method", "url_name", "kind"), OTHER_USERS_URLS)
def test_another_users_address_or_identity_answers_404(user_client, method, url_name, kind):
    other = UserFactory()
    address = AddressFactory(user=other, is_default=True)
    identity = CustomsIdentityFactory(user=other, is_default=True)
    target = address if kind == "address" else identity
    arg = "address_id" if kind == "address" else "identity_id"
    response = getattr(user_client, method)(
        reverse(url_name, kwargs={arg: target.pk}), {"recipient": "hacker"}
    )
    assert response.status_code == 404
    assert Address.objects.filter(pk=address.pk, recipient="张三", is_default=True).exists()
    assert CustomsIdentity.objects.filter(pk=identity.pk, is_default=True).exists()


def test_language_switch_to_chinese(client):
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_address_form_returns_to_a_page_of_this_site_only(user_client):
    data = {
        "recipient": "张三",
        "phone": "13800138000",
        "province": "上海市",
        "city": "上海市",
        "detail": "1 号",
    }
    back = user_client.post(reverse("accounts:address_new") + "?next=/mall/checkout/", data)
    assert back.status_code == 302 and back.url == "/mall/checkout/"
    away = user_client.post(reverse("accounts:address_new") + "?next=https://evil.example/", data)
    assert away.status_code == 302 and away.url == reverse("accounts:addresses")


def test_removing_an_identity_asks_first_and_changes_nothing_until_confirmed(user_client):
    identity = CustomsIdentityFactory(user=user_client.user, is_default=True)
    url = reverse("accounts:identity_delete", kwargs={"identity_id": identity.pk})

    asked = user_client.get(url)
    assert asked.status_code == 200 and 'data-testid="identity-delete-confirm"' in asked.content.decode()
    assert identity.masked_number in asked.content.decode()
    unconfirmed = user_client.post(url)  # an old form, a script, a double submit: still asks
    assert unconfirmed.status_code == 200
    assert CustomsIdentity.objects.filter(pk=identity.pk).exists()

    done = user_client.post(url, {"confirm": "yes"})

    assert done.status_code == 302 and done["Location"] == reverse("accounts:identities")
    assert not CustomsIdentity.objects.filter(pk=identity.pk).exists()


def test_a_strangers_confirmation_page_is_a_404(user_client):
    other = CustomsIdentityFactory(user=UserFactory())
    url = reverse("accounts:identity_delete", kwargs={"identity_id": other.pk})
    assert user_client.get(url).status_code == 404
    assert user_client.post(url, {"confirm": "yes"}).status_code == 404
    assert CustomsIdentity.objects.filter(pk=other.pk).exists()
