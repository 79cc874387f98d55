"""Template tags with which the mall fills the "Me" page's slot: orders per step and the cart (accounts
renders the page and imports nothing from here: docs/architecture.md, "How a lower app shows an upper
app's content")."""

from __future__ import annotations

from django import template

from mall.selectors.me import me_shopping

register = template.Library()


@register.inclusion_tag("mall/partials/me_shopping.html", takes_context=True)
def me_shopping_panel(context):
    """My orders by step with counts, and the cart, for the signed-in viewer."""
    return {"shop": me_shopping(user=context["request"].user)}
