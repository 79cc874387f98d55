"""Which cart a request uses. Anonymous visitors get a cart found by a token in their session; once
they sign in, the next request that touches the cart folds it into the user's own (no signal needed:
Django keeps session data across login)."""

from __future__ import annotations

from mall.models import Cart
from mall.services.cart import cart_for_token, cart_for_user, cart_merge

SESSION_KEY = "mall_cart_token"


def cart_for_request(request, *, create: bool = True) -> Cart | None:
    token = request.session.get(SESSION_KEY)
    if request.user.is_authenticated:
        cart = cart_for_user(user=request.user)
        if token:
            anonymous = cart_for_token(token=token, create=False)
            if anonymous is not None:
                cart = cart_merge(anonymous=anonymous, into=cart)
            request.session.pop(SESSION_KEY, None)
        return cart
    cart = cart_for_token(token=token, create=create)
    if cart is not None and cart.token != token:
        request.session[SESSION_KEY] = cart.token
    return cart
