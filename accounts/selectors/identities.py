"""A person's customs identities (the purchasers cross-border orders are declared for).
``access_identity`` fetches one the viewer owns, or answers 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import CustomsIdentity, User
from core.errors import NotFound


def identity_list(*, user: User, verified_only: bool = False) -> QuerySet[CustomsIdentity]:
    """The person's identities, default first; ``verified_only``: those a purchase may use (checkout)."""
    identities = CustomsIdentity.objects.filter(user=user)
    if verified_only:
        identities = identities.filter(verified_at__isnull=False)
    return identities.order_by("-is_default", "-id")


def access_identity(*, user: User, identity_id) -> CustomsIdentity:
    try:
        return CustomsIdentity.objects.get(pk=int(identity_id), user=user)
    except (CustomsIdentity.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such identity.")) from None


def identity_default(*, user: User) -> CustomsIdentity | None:
    return identity_list(user=user).first()
