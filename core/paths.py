"""Reverse a URL once per name, then fill in integer ids by string formatting.

``reverse()`` walks the resolver's patterns and reads the thread's URLconf and script prefix (asgiref
locals) on every call; a note page reversed 185 URLs per request, most of them the same few names with a
different comment id. ``path_for`` reverses each (name, number of ids, URLconf, script prefix) once in
the process with sentinel numbers, keeps the result as a format string, and answers later calls by
formatting the ids into it. It takes integer ids only (every ``<int:...>`` route); anything else goes
through ``reverse()``.
"""

from __future__ import annotations

import threading

from django.urls import get_script_prefix, get_urlconf, reverse

_SENTINELS = (9_100_000_001, 9_100_000_002, 9_100_000_003)
_formats: dict[tuple, str] = {}
_lock = threading.Lock()


def path_for(name: str, *ids) -> str:
    if len(ids) > len(_SENTINELS) or not all(type(i) is int for i in ids):
        return reverse(name, args=ids)
    key = (name, len(ids), get_urlconf(), get_script_prefix())
    fmt = _formats.get(key)
    if fmt is None:
        url = reverse(name, args=_SENTINELS[: len(ids)])
        fmt = url.replace("{", "{{").replace("}", "}}")
        for position, sentinel in enumerate(_SENTINELS[: len(ids)]):
            assert fmt.count(str(sentinel)) == 1, (name, url)
            fmt = fmt.replace(str(sentinel), f"{{{position}}}")
        with _lock:
            _formats[key] = fmt
    return fmt.format(*ids)
