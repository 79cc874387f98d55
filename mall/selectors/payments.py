"""A buyer's payments. Anybody else's payment answers exactly like one that does not exist."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import NotFound
from mall.models import Payment


def access_payment(*, user, reference: str) -> Payment:
    payment = (
        Payment.objects.select_related("order")
        .filter(reference=str(reference), order__user_id=getattr(user, "pk", None))
        .first()
    )
    if payment is None:
        raise NotFound(_("No such payment."))
    return payment
