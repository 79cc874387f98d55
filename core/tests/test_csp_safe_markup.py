"""htmx evaluates some attributes as JavaScript: an event filter in ``hx-trigger`` (``keyup[key=='Enter']``),
``hx-on*`` handlers, ``js:`` values and ``hx-vars``. The site's CSP forbids eval, so each of those logs
``htmx:evalDisallowedError`` and does nothing: no template may use them (static/js does that work)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
EVAL_MARKUP = re.compile(
    r"""hx-trigger\s*=\s*(?:"[^"]*\[|'[^']*\[)              # an event filter
    | \bhx-on[:\-]                                          # inline handlers
    | \bhx-vars\s*=                                         # always evaluated
    | \bhx-(?:vals|headers)\s*=\s*["']\s*js:                # evaluated values
    """,
    re.VERBOSE,
)


def test_no_template_needs_eval():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if EVAL_MARKUP.search(line)
    ]
    assert offenders == []


def test_the_rule_sees_a_filter():
    assert EVAL_MARKUP.search('''hx-trigger="input changed, keyup[key=='Enter']"''')
    assert not EVAL_MARKUP.search('hx-trigger="input changed delay:250ms, search, link-search-enter"')


def test_the_compose_picker_searches_on_enter_without_eval():
    picker = (TEMPLATES / "community/partials/links_picker.html").read_text(encoding="utf-8")
    script = (Path(settings.BASE_DIR) / "static/js/links.js").read_text(encoding="utf-8")
    assert "link-search-enter" in picker
    assert 'new CustomEvent("link-search-enter")' in script
