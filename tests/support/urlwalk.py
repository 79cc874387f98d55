"""Every URL pattern the resolver knows, walked once for the tests that sweep the whole site (bad segments
in core/tests/test_path_segments.py, the access and CSRF sweeps in tests/sweep/).

``routes()`` gives one ``Route`` per pattern: its namespaced name, its parameters and a way to build its
path from values. ``paths(value)`` gives one path per pattern with every parameter (or, for a pattern with
none, its last segment) replaced by ``value``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

_ROUTE_PART = re.compile(r"<(?:[^>:]+:)?[^>]+>")
_ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _regex_to_path(regex: str, value: str) -> str:
    """A regex route as a path with each group (and the anchors) replaced: ``^(?P<pk>\\d+)/$`` -> ``v/``."""
    out, depth, i = [], 0, 0
    while i < len(regex):
        char = regex[i]
        if char == "\\" and i + 1 < len(regex):
            if depth == 0 and regex[i + 1] not in "AZbB":
                out.append(regex[i + 1])
            i += 2
            continue
        if char == "(":
            if depth == 0:
                out.append(value)
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char not in "^$?*+":
            out.append(char)
        i += 1
    return "".join(out)


def _part(pattern, value: str) -> tuple[str, bool]:
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        return _ROUTE_PART.sub(value, route), bool(_ROUTE_PART.search(route))
    if isinstance(pattern, RegexPattern):
        regex = str(pattern._regex)
        return _regex_to_path(regex, value), "(" in regex
    raise AssertionError(f"unknown pattern type {pattern!r}")


def paths(value: str) -> list[str]:
    """One path per URL pattern; a pattern with no parameter gets its last segment replaced instead."""

    def walk(resolver, prefix: str, had_parameter: bool):
        for entry in resolver.url_patterns:
            part, has_parameter = _part(entry.pattern, value)
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + part, had_parameter or has_parameter)
            elif isinstance(entry, URLPattern):
                path = prefix + part
                if not (had_parameter or has_parameter):
                    segments = path.split("/")
                    last = max((n for n, segment in enumerate(segments) if segment), default=None)
                    if last is None:
                        segments.append(value)
                    else:
                        segments[last] = value
                    path = "/".join(segments)
                yield "/" + path.lstrip("/")

    return sorted(set(walk(get_resolver(), "", False)))


def _params(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.findall(str(pattern._route))
    return list(pattern.regex.groupindex)


def _fill(pattern, values: dict) -> str:
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(lambda m: str(values[m[1]]), str(pattern._route))
    regex = _REGEX_GROUP.sub(lambda m: str(values[m[1]]), str(pattern._regex))
    return _regex_to_path(regex, "")


@dataclass(frozen=True)
class Route:
    """One URL pattern: ``name`` is namespaced (``mall:order``) or None, ``route`` is its text."""

    name: str | None
    route: str
    params: tuple[str, ...]
    patterns: tuple
    callback: object

    @property
    def key(self) -> str:
        """What the sweeps' registries know a route by: its name, or its text when it has none."""
        return self.name or self.route

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def path(self, **values) -> str:
        return "/" + "".join(_fill(pattern, values) for pattern in self.patterns).lstrip("/")

    def __str__(self) -> str:
        return f"{self.key} ({self.route})"


def routes() -> list[Route]:
    """Every URL pattern of the site, in the resolver's order."""

    def walk(resolver, namespaces: list[str], patterns: tuple):
        for entry in resolver.url_patterns:
            chain = (*patterns, entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry, namespaces + ([entry.namespace] if entry.namespace else []), chain)
            elif isinstance(entry, URLPattern):
                name = ":".join([*namespaces, entry.name]) if entry.name else None
                params = tuple(p for pattern in chain for p in _params(pattern))
                text = "".join(str(pattern) for pattern in chain)
                yield Route(name, text, params, chain, entry.callback)

    return list(walk(get_resolver(), [], ()))
