"""Slots an upper app may fill on the mall's pages: the flash-sale strip, notes about a product, the
invitation to write about a delivered order, products recommended from what the community talks about.

docs/architecture.md, "How a lower app shows an upper app's content": no Python import goes upward, so
the mall asks the template loader whether an installed app provides the slot's template and includes it
if so.
"""

from __future__ import annotations

from core.slots import optional_template

FLASH_STRIP_TEMPLATE = "flashsale/slots/strip.html"
RECOMMENDED_TEMPLATE = "community/slots/recommended.html"
PRODUCT_NOTES_TEMPLATE = "community/slots/product_notes.html"
ORDER_INVITE_TEMPLATE = "community/slots/order_invite.html"


def flash_strip_template() -> str | None:
    return optional_template(FLASH_STRIP_TEMPLATE)
