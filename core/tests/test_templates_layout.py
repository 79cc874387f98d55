"""Where a template sits says what it is, checked over templates/:

- a full page extends a base page (or is a whole document of its own) and sits at the top of its app's
  folder (``templates/<app>/`` or ``templates/admin/<app>/``);
- a fragment (included by another template, rendered for htmx, an inclusion tag's body) sits under a
  ``partials/`` folder, or under ``slots/`` when a lower app includes it by name (docs/architecture.md,
  "How a lower app shows an upper app's content");
- one file name is one kind of thing: never a full page in one folder and a fragment in another;
- ``*_page.html`` means one thing only: one page of a list's items, a fragment that the full page
  includes and that htmx asks for to load the next page;
- every template named in the code exists, so a move cannot leave a stale name behind.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.template import TemplateDoesNotExist
from django.template.loader import get_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
FRAGMENT_FOLDERS = {"partials", "slots"}
# The folders of code that may name a template.
CODE_FOLDERS = ["core", "accounts", "mall", "community", "flashsale", "demo", "config", "tests", "benchmarks"]

EXTENDS = re.compile(r"{%\s*extends\s")
INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")
INCLUSION_TAG = re.compile(r"""inclusion_tag\(\s*["']([^"']+)["']""")
WHOLE_DOCUMENT = re.compile(r"<!doctype html|<html[\s>]", re.I)
# A quoted path to an .html file with at least one folder: how the code names a template.
TEMPLATE_NAME = re.compile(r"""["']((?:[\w-]+/)+[\w-]+\.html)["']""")
# Names that mall/tests/test_catalog.py gives its slots on purpose: an upper app that is not installed,
# and a template the test writes itself.
MADE_UP_IN_TESTS = {
    "community/absent-in-this-test.html",
    "flashsale/absent-in-this-test.html",
    "flashsale/probe-strip.html",
}


def _name(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def _app_folders() -> list[Path]:
    """``templates/<app>/``, and ``templates/admin/<app>/`` for the admin's screens."""
    folders = [p for p in TEMPLATES.iterdir() if p.is_dir() and p.name not in FRAGMENT_FOLDERS | {"admin"}]
    folders += [p for p in (TEMPLATES / "admin").iterdir() if p.is_dir()]
    return sorted(folders)


def _is_fragment_path(path: Path) -> bool:
    return any(part in FRAGMENT_FOLDERS for part in path.relative_to(TEMPLATES).parts[:-1])


def _code_files() -> list[Path]:
    return [p for folder in CODE_FOLDERS for p in sorted((ROOT / folder).rglob("*.py"))]


def _used_as_fragment() -> set[str]:
    """Names that a template includes literally or that an inclusion tag renders."""
    names = {name for path in _templates() for name in INCLUDE.findall(path.read_text(encoding="utf-8"))}
    names |= {
        name for path in _code_files() for name in INCLUSION_TAG.findall(path.read_text(encoding="utf-8"))
    }
    return names


def test_the_layout_is_checked_over_every_app_folder():
    assert {p.relative_to(TEMPLATES).as_posix() for p in _app_folders()} >= {
        "accounts",
        "community",
        "flashsale",
        "mall",
        "admin/flashsale",
    }
    assert len(_templates()) > 100


def test_fragments_never_extend_a_page():
    wrong = [
        _name(path)
        for path in _templates()
        if _is_fragment_path(path) and EXTENDS.search(path.read_text(encoding="utf-8"))
    ]
    assert wrong == []


def test_the_top_of_an_app_folder_holds_only_full_pages():
    fragments = _used_as_fragment()
    wrong = []
    for folder in _app_folders():
        for path in sorted(folder.glob("*.html")):
            text = path.read_text(encoding="utf-8")
            if _name(path) in fragments:
                wrong.append(f"{_name(path)} is included: move it under partials/")
            elif not (EXTENDS.search(text) or WHOLE_DOCUMENT.search(text)):
                wrong.append(f"{_name(path)} is no full page: move it under partials/")
    assert wrong == []


def test_a_page_template_is_one_page_of_a_lists_items():
    wrong = [
        _name(path)
        for path in _templates()
        if path.stem.endswith("_page")
        and (path.parent.name != "partials" or _name(path) not in _used_as_fragment())
    ]
    assert wrong == []


def test_a_file_name_is_never_both_a_page_and_a_fragment():
    kinds: dict[str, set[str]] = {}
    for path in _templates():
        kind = "fragment" if _is_fragment_path(path) else "page"
        kinds.setdefault(path.name, set()).add(kind)
    assert sorted(name for name, seen in kinds.items() if len(seen) > 1) == []


def test_every_template_named_in_the_code_exists():
    named: dict[str, set[str]] = {}
    for path in _code_files():
        for name in TEMPLATE_NAME.findall(path.read_text(encoding="utf-8")):
            named.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    for path in _templates():
        for name in INCLUDE.findall(path.read_text(encoding="utf-8")):
            named.setdefault(name, set()).add(_name(path))
    missing = []
    for name, where in sorted(named.items()):
        if name in MADE_UP_IN_TESTS:
            continue
        try:
            get_template(name)
        except TemplateDoesNotExist:
            missing.append(f"{name} (named in {', '.join(sorted(where))})")
    assert len(named) > 50
    assert missing == []
