"""Slots an upper app may fill on a lower app's page (docs/architecture.md, "How a lower app shows an
upper app's content"): no Python import goes upward, so the page asks the template loader whether an
installed app provides the slot's template and includes it if so."""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.loader import select_template


def optional_template(name: str) -> str | None:
    """``name`` when an installed app provides that template, else None."""
    try:
        select_template([name])
    except TemplateDoesNotExist:
        return None
    return name


def optional_templates(names: list[str]) -> list[str]:
    """The slots of ``names`` that installed apps fill, in order."""
    return [name for name in names if optional_template(name)]
