"""One default row per person, for addresses and customs identities alike."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Address, CustomsIdentity


def default_set(*, row: Address | CustomsIdentity) -> None:
    """Make ``row`` its owner's default (addresses and identities alike), in the caller's transaction."""
    model = type(row)
    # Clear the old default first: the partial unique index allows one default per user.
    model.objects.filter(user_id=row.user_id, is_default=True).exclude(pk=row.pk).update(is_default=False)
    model.objects.filter(pk=row.pk).update(is_default=True)
    row.is_default = True


def delete_keeping_a_default(*, row: Address | CustomsIdentity) -> None:
    """Delete ``row``; if it was the default, the newest remaining one becomes the default."""
    model = type(row)
    with transaction.atomic(durable=True):
        was_default, user_id = row.is_default, row.user_id
        row.delete()
        if was_default:
            successor = model.objects.filter(user_id=user_id).order_by("-id").first()
            if successor:
                default_set(row=successor)
