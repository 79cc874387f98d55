"""Template tags with which the community fills the "Me" page's slots (accounts renders the page and
imports nothing from here: docs/architecture.md, "How a lower app shows an upper app's content")."""

from __future__ import annotations

from django import template

from community.selectors.me import me_notes

register = template.Library()


@register.inclusion_tag("community/partials/me_notes.html", takes_context=True)
def me_notes_panel(context):
    """My notes, drafts, collects and boards, likes and statistics, for the signed-in viewer."""
    user = context["request"].user
    return {"me": me_notes(user=user), "user": user, "request": context["request"]}
