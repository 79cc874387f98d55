from __future__ import annotations

import functools

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.idnumbers import id_check_digit
from accounts.models import Address, CustomsIdentity, User

PASSWORD = "correct-horse-battery-42"


@functools.cache
def password_hash() -> str:
    # Hash once with the real Argon2 hasher and share it: every factory user logs in with PASSWORD.
    return make_password(PASSWORD)


def valid_id_number(serial: int = 1) -> str:
    first17 = f"110105199001{(serial % 28) + 1:02d}{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    nickname = factory.Sequence(lambda n: f"Nick {n}")
    password = factory.LazyFunction(password_hash)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    recipient = "张三"
    phone = "13800138000"
    province = "上海市"
    city = "上海市"
    district = "静安区"
    detail = "南京西路 1 号"
    postal_code = "200040"


class CustomsIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomsIdentity

    user = factory.SubFactory(UserFactory)
    real_name = "张三"
    id_number = factory.Sequence(valid_id_number)
    verified_at = factory.LazyFunction(timezone.now)
