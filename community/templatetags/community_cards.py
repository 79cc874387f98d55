"""``{% note_card note state %}``: a feed card from the per-process card cache (community/cards.py);
``{% note_cards notes state %}``: a page of them."""

from __future__ import annotations

from django import template

from community.cards import card_html, cards_html

register = template.Library()


@register.simple_tag
def note_card(note, state):
    return card_html(note, state)


@register.simple_tag
def note_cards(notes, state):
    return cards_html(notes, state)
