"""Template tags with which community content fills the mall's slots (docs/architecture.md, "How a lower app
shows an upper app's content": the mall's templates load these; no mall Python imports the community)."""

from __future__ import annotations

from django import template

from community.selectors.recommend import LIMIT, recommended_products

register = template.Library()


@register.inclusion_tag("community/partials/recommend_products.html", takes_context=True)
def recommended_for_you(context, limit: int = LIMIT):
    """The "Recommended for you" section for the page's viewer; renders nothing when there is nothing
    to recommend."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"recommendations": recommended_products(user=user, limit=limit), "request": request}
