"""A person's delivery addresses. ``access_address`` fetches one the viewer owns, or answers 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Address, User
from core.errors import NotFound


def address_list(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user).order_by("-is_default", "-id")


def access_address(*, user: User, address_id) -> Address:
    # Another user's id answers exactly like an id that does not exist.
    try:
        return Address.objects.get(pk=int(address_id), user=user)
    except (Address.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such address.")) from None
