"""``{% note_card note state %}``: a feed card from the per-process card cache (community/cards.py)."""

from __future__ import annotations

from django import template

from community.cards import card_html

register = template.Library()


@register.simple_tag
def note_card(note, state):
    return card_html(note, state)
