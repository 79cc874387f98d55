import io

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from PIL import Image

from accounts import services
from accounts.models import Address, CustomsIdentity, User
from accounts.tests.factories import AddressFactory, UserFactory, valid_id_number
from core.errors import Conflict
from tests.support import images

pytestmark = pytest.mark.django_db


def test_sign_up_hashes_the_password_with_argon2():
    user = services.user_sign_up(username="newbie", password="a-long-Passphrase-9")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("a-long-Passphrase-9")
    assert user.nickname == "newbie"


def test_sign_up_refuses_weak_password_and_creates_nothing():
    with pytest.raises(ValidationError):
        services.user_sign_up(username="weak", password="123")
    assert not User.objects.filter(username="weak").exists()


def test_sign_up_refuses_a_taken_username():
    UserFactory(username="taken")
    with pytest.raises(ValidationError) as exc:
        services.user_sign_up(username="taken", password="a-long-Passphrase-9")
    assert "username" in exc.value.message_dict


def test_avatar_is_reencoded_square_webp_without_exif():
    user = UserFactory()
    services.user_avatar_set(user=user, upload=images.jpeg_with_exif(640, 480))
    user.refresh_from_db()
    with user.avatar.open("rb") as fh:
        data = fh.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    assert image.size == (400, 400)
    assert not image.getexif()
    assert b"SecretCam" not in data


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (images.not_an_image(), "not_image"),
        (images.png_bomb(), "too_many_pixels"),
        (images.oversized(5 * 1024 * 1024), "too_large"),
    ],
)
def test_hostile_avatars_are_refused_and_nothing_changes(upload, code):
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.user_avatar_set(user=user, upload=upload)
    assert exc.value.code == code
    user.refresh_from_db()
    assert not user.avatar


def test_avatar_pixel_limit_is_a_setting(settings):
    settings.AVATAR_MAX_PIXELS = 100 * 100
    user = UserFactory()
    with pytest.raises(ValidationError, match="megapixels"):
        services.user_avatar_set(user=user, upload=images.png(300, 200))


def test_first_address_becomes_default_and_default_moves():
    user = UserFactory()
    data = {
        "recipient": "李四",
        "phone": "13900139000",
        "province": "北京市",
        "city": "北京市",
        "detail": "长安街 1 号",
    }
    first = services.address_create(user=user, data=data)
    second = services.address_create(user=user, data=data, make_default=True)
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    services.address_delete(address=second)
    first.refresh_from_db()
    assert first.is_default


def test_address_with_a_bad_phone_is_refused():
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.address_create(
            user=user, data={"recipient": "x", "phone": "123", "province": "a", "city": "b", "detail": "c"}
        )
    assert "phone" in exc.value.message_dict
    assert not Address.objects.exists()


def test_identity_is_stored_verified_and_shown_masked():
    user = UserFactory()
    number = valid_id_number(7)
    identity = services.identity_add(user=user, real_name="王小明", id_number=number.lower())
    assert identity.id_number == number
    assert identity.is_verified and identity.is_default
    assert number not in str(identity) and number not in repr(identity)
    assert identity.masked_number == number[0] + "*" * 16 + number[-1]


def test_identity_with_a_wrong_check_digit_is_refused_and_nothing_stored():
    user = UserFactory()
    number = valid_id_number(3)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        services.identity_add(user=user, real_name="王小明", id_number=wrong)
    assert "check digit" in str(exc.value.message_dict["id_number"])
    assert not CustomsIdentity.objects.exists()


def test_same_identity_twice_is_a_conflict():
    user = UserFactory()
    number = valid_id_number(5)
    services.identity_add(user=user, real_name="王小明", id_number=number)
    with pytest.raises(Conflict):
        services.identity_add(user=user, real_name="王小明", id_number=number)
    assert CustomsIdentity.objects.count() == 1


def test_address_factory_builds_valid_rows():
    address = AddressFactory()

    address.full_clean()  # raises ValidationError on any invalid field
    assert address.pk is not None and address.user_id is not None
    assert address.recipient and address.phone
