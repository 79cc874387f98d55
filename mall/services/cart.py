"""Carts: one per signed-in user, an anonymous one per browser session, merged on login."""

from __future__ import annotations

import re
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils.translation import gettext as _

from core.errors import DomainError, NotFound
from mall.models import Cart, CartLine, Sku

MAX_QUANTITY = 99
_REFERRAL = re.compile(r"^[a-z]{2,12}:\d{1,12}$")


def referral_clean(value: str | None) -> str:
    """Attribution is data ("note:42", "flashsale:7"); anything else is dropped, never trusted."""
    value = (value or "").strip()
    return value if _REFERRAL.match(value) else ""


def cart_for_user(*, user) -> Cart:
    cart = Cart.objects.filter(user=user).first()
    if cart:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(user=user, token=secrets.token_urlsafe(24))
    except IntegrityError:
        return Cart.objects.get(user=user)


def cart_for_token(*, token: str | None, create: bool = True) -> Cart | None:
    if token:
        cart = Cart.objects.filter(token=token, user=None).first()
        if cart:
            return cart
    if not create:
        return None
    return Cart.objects.create(token=secrets.token_urlsafe(24))


def _sku_for_sale(sku_id) -> Sku:
    try:
        return Sku.objects.select_related("product").get(
            pk=int(sku_id), is_active=True, product__is_active=True
        )
    except (Sku.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("This item is no longer on sale.")) from None


def cart_add(*, cart: Cart, sku_id, quantity: int = 1, referral: str = "") -> CartLine:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(_("Choose between 1 and %(max)d.") % {"max": MAX_QUANTITY}, field="quantity")
    sku = _sku_for_sale(sku_id)
    referral = referral_clean(referral)
    with transaction.atomic(durable=True):
        updated = CartLine.objects.filter(cart=cart, sku=sku).update(
            quantity=Least(F("quantity") + quantity, MAX_QUANTITY), selected=True
        )
        if not updated:
            try:
                with transaction.atomic():
                    CartLine.objects.create(cart=cart, sku=sku, quantity=quantity, referral=referral)
            except IntegrityError:
                CartLine.objects.filter(cart=cart, sku=sku).update(
                    quantity=Least(F("quantity") + quantity, MAX_QUANTITY)
                )
        elif referral:
            CartLine.objects.filter(cart=cart, sku=sku).update(referral=referral)
    return CartLine.objects.get(cart=cart, sku=sku)


def cart_line_update(
    *, cart: Cart, line_id, quantity: int | None = None, selected: bool | None = None
) -> None:
    line = cart_line_access(cart=cart, line_id=line_id)
    fields = {}
    if quantity is not None:
        if not 1 <= quantity <= MAX_QUANTITY:
            raise DomainError(_("Choose between 1 and %(max)d.") % {"max": MAX_QUANTITY}, field="quantity")
        fields["quantity"] = quantity
    if selected is not None:
        fields["selected"] = selected
    if fields:
        CartLine.objects.filter(pk=line.pk).update(**fields)


def cart_line_variant_change(*, cart: Cart, line_id, sku_id) -> CartLine:
    """Swap a line to another active variant of the same product, keeping its quantity, choice and
    referral. A line of that variant already in the cart takes this one in (quantities add up, capped;
    this line's referral wins, else that line's stays). Another product's or a retired variant: refused,
    nothing changes. Returns the line now holding the variant."""
    line = cart_line_access(cart=cart, line_id=line_id)
    try:
        sku = Sku.objects.get(
            pk=int(sku_id), product_id=line.sku.product_id, is_active=True, product__is_active=True
        )
    except (Sku.DoesNotExist, TypeError, ValueError):
        raise DomainError(_("Choose one of this product's variants."), field="sku") from None
    if sku.pk == line.sku_id:
        return line
    with transaction.atomic(durable=True):
        line = CartLine.objects.select_for_update().filter(pk=line.pk, cart=cart).first()
        if line is None:
            raise NotFound(_("That item is not in your cart."))
        into = CartLine.objects.select_for_update().filter(cart=cart, sku=sku).first()
        if into is None:
            line.sku = sku
            line.save(update_fields=["sku"])
            return line
        into.quantity = min(into.quantity + line.quantity, MAX_QUANTITY)
        into.referral = line.referral or into.referral
        into.selected = into.selected or line.selected
        into.save(update_fields=["quantity", "referral", "selected"])
        line.delete()
        return into


def cart_line_remove(*, cart: Cart, line_id) -> None:
    line = cart_line_access(cart=cart, line_id=line_id)
    CartLine.objects.filter(pk=line.pk).delete()


def cart_line_access(*, cart: Cart, line_id) -> CartLine:
    try:
        return CartLine.objects.get(pk=int(line_id), cart=cart)
    except (CartLine.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("That item is not in your cart.")) from None


def cart_merge(*, anonymous: Cart, into: Cart) -> Cart:
    """Fold an anonymous cart into the user's cart after login (quantities add up, capped)."""
    if anonymous.pk == into.pk:
        return into
    with transaction.atomic(durable=True):
        for line in anonymous.lines.all():
            updated = CartLine.objects.filter(cart=into, sku_id=line.sku_id).update(
                quantity=Least(F("quantity") + line.quantity, MAX_QUANTITY)
            )
            if not updated:
                CartLine.objects.create(
                    cart=into, sku_id=line.sku_id, quantity=line.quantity, referral=line.referral
                )
        anonymous.delete()
    return into
