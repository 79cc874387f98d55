"""A person's customs identities: the purchasers cross-border orders are declared for, checked against
GB 11643 when added and shown masked ever after."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.idnumbers import id_number_validate
from accounts.models import CustomsIdentity, User
from accounts.services.defaults import default_set, delete_keeping_a_default
from core.errors import Conflict


def identity_add(
    *, user: User, real_name: str, id_number: str, make_default: bool = False
) -> CustomsIdentity:
    """Record a purchaser identity after checking the number (GB 11643) and the name's shape."""
    real_name = (real_name or "").strip()
    errors = {}
    if not (2 <= len(real_name) <= 40):
        errors["real_name"] = _("Enter the real name exactly as on the ID card.")
    try:
        number = id_number_validate(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    if errors:
        raise ValidationError(errors)
    identity = CustomsIdentity(user=user, real_name=real_name, id_number=number, verified_at=timezone.now())
    try:
        with transaction.atomic(durable=True):
            first = not CustomsIdentity.objects.filter(user=user).exists()
            identity.save()
            if make_default or first:
                default_set(row=identity)
    except IntegrityError:
        raise Conflict(_("This ID number is already on your account."), field="id_number") from None
    return identity


def identity_set_default(*, identity: CustomsIdentity) -> CustomsIdentity:
    with transaction.atomic(durable=True):
        default_set(row=identity)
    return identity


def identity_delete(*, identity: CustomsIdentity) -> None:
    delete_keeping_a_default(row=identity)
