"""The shape docs/architecture.md describes, checked on the source: the direction of imports, no cycle
between services and tasks, the same rooms in every app, and no reference to a file outside the repo."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "mall", "community", "flashsale"]
# Which apps each may import (docs/architecture.md, "Apps and the direction of imports"). `demo` is dev-only
# data on top of everything: nothing imports it.
ALLOWED = {
    "core": set(),
    "accounts": {"core"},
    "mall": {"core", "accounts"},
    "community": {"core", "accounts", "mall"},
    "flashsale": {"core", "accounts", "mall"},
}
FIRST_PARTY = {"core", "accounts", "mall", "community", "flashsale", "demo"}


def _sources(folder: str, *, tests: bool = False) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (tests or "tests" not in path.relative_to(ROOT).parts) and "migrations" not in path.parts
    ]


def _imports(path: Path) -> set[str]:
    """Dotted names of every module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources(app)
        for name in sorted(_imports(path))
        if name.split(".")[0] in FIRST_PARTY - ALLOWED[app] - {app}
    ]
    assert wrong == []


def test_nothing_but_the_demo_imports_the_demo():
    folders = [*ALLOWED, "config", "benchmarks"]
    wrong = [
        str(path.relative_to(ROOT))
        for folder in folders
        for path in _sources(folder, tests=True)
        if any(name == "demo" or name.startswith("demo.") for name in _imports(path))
        and folder != "benchmarks"
    ]
    assert wrong == []


@pytest.mark.parametrize("app", APPS)
def test_no_services_module_imports_a_tasks_module(app):
    """Services enqueue tasks by name (core.tasks.enqueue_on_commit); only tasks import services."""
    services = [*(ROOT / app / "services").rglob("*.py")]
    assert services, f"{app} has no services package"
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in services
        for name in _imports(path)
        if re.fullmatch(r"\w+\.tasks(\..*)?", name) and not name.startswith("core.tasks")
    ]
    assert wrong == []


ROOMS = [
    "urls.py",
    "api/urls.py",
    "views/",
    "api/",
    "admin/",
    "services/",
    "selectors/",
    "tasks.py",
    "models.py",
    "tests/",
]


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_the_same_rooms(app):
    missing = [room for room in ROOMS if not (ROOT / app / room.rstrip("/")).exists()]
    assert missing == []
    packages = [room for room in ROOMS if room.endswith("/")]
    assert all((ROOT / app / room / "__init__.py").exists() for room in packages)
    # Nothing beside the rooms declares URLs.
    stray = [
        str(path.relative_to(ROOT))
        for path in _sources(app)
        if "urlpatterns" in path.read_text(encoding="utf-8")
        and path.relative_to(ROOT / app).as_posix() not in {"urls.py", "api/urls.py"}
    ]
    assert stray == []


@pytest.mark.parametrize("app", APPS)
def test_access_helpers_live_in_selectors(app):
    wrong = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources(app)
        if "selectors" not in path.relative_to(ROOT / app).with_suffix("").parts
        for name in re.findall(r"^def (access_\w+)", path.read_text(encoding="utf-8"), flags=re.M)
    ]
    assert wrong == []


def test_nothing_in_the_repo_refers_to_a_document_outside_it():
    pattern = re.compile(r"DESIGN\.md|/work/|shared/CONVENTIONS|\.\./shared")
    folders = [*ALLOWED, "config", "benchmarks", "tests", "docs", "templates", "static", "demo"]
    files = [
        ROOT / name for name in ("README.md", "Makefile", "Dockerfile", "docker-compose.yml", "conftest.py")
    ]
    for folder in folders:
        files += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.suffix in {".py", ".md", ".html", ".lua", ".js", ".txt"}
        ]
    wrong = [
        str(path.relative_to(ROOT))
        for path in files
        if path.exists()
        and path != Path(__file__)
        and pattern.search(path.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert wrong == []


def test_test_modules_never_import_each_other_and_are_named_after_what_they_test():
    folders = [*APPS, "core", "tests", "demo"]
    modules = [p for folder in folders for p in (ROOT / folder).rglob("test_*.py")]
    assert len(modules) > 100
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules
        for name in sorted(_imports(path))
        if name.split(".")[0] in FIRST_PARTY | {"tests"}
        and any(part.startswith("test_") for part in name.split("."))
    ]
    wrong += [str(p.relative_to(ROOT)) for p in modules if re.search(r"issue\d|_issue|session\d", p.stem)]
    assert wrong == []
