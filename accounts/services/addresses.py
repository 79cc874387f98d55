"""A person's delivery addresses; one of them is the default (the first one added becomes it)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Address, User
from accounts.services.defaults import default_set, delete_keeping_a_default

ADDRESS_FIELDS = ("recipient", "phone", "province", "city", "district", "detail", "postal_code")


def _clean_fields(instance, data: dict, allowed: tuple[str, ...]) -> None:
    for name in allowed:
        if name in data:
            setattr(instance, name, (data[name] or "").strip() if isinstance(data[name], str) else data[name])


def address_create(*, user: User, data: dict, make_default: bool = False) -> Address:
    address = Address(user=user)
    _clean_fields(address, data, ADDRESS_FIELDS)
    address.full_clean(exclude=["user", "is_default"])
    with transaction.atomic(durable=True):
        first = not Address.objects.filter(user=user).exists()
        address.save()
        if make_default or first:
            default_set(row=address)
    return address


def address_update(*, address: Address, data: dict) -> Address:
    _clean_fields(address, data, ADDRESS_FIELDS)
    address.full_clean(exclude=["user", "is_default"])
    with transaction.atomic(durable=True):
        address.save(update_fields=[f for f in ADDRESS_FIELDS if f in data])
    return address


def address_set_default(*, address: Address) -> Address:
    with transaction.atomic(durable=True):
        default_set(row=address)
    return address


def address_delete(*, address: Address) -> None:
    delete_keeping_a_default(row=address)
