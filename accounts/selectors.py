"""Reads for accounts pages. ``access_*`` fetch one row the viewer owns, or answer 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Address, CustomsIdentity, User
from core.errors import NotFound


def address_list(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user).order_by("-is_default", "-id")


def access_address(*, user: User, address_id) -> Address:
    # Another user's id answers exactly like an id that does not exist.
    try:
        return Address.objects.get(pk=int(address_id), user=user)
    except (Address.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such address.")) from None


def identity_list(*, user: User) -> QuerySet[CustomsIdentity]:
    return CustomsIdentity.objects.filter(user=user).order_by("-is_default", "-id")


def access_identity(*, user: User, identity_id) -> CustomsIdentity:
    try:
        return CustomsIdentity.objects.get(pk=int(identity_id), user=user)
    except (CustomsIdentity.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such identity.")) from None


def identity_default(*, user: User) -> CustomsIdentity | None:
    return identity_list(user=user).first()
