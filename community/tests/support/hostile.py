"""Hostile requests against the purchase-link, trust, statistics and demand features: the values an
attacker sends, clients for each kind of caller, and what a refusal must leave untouched."""

from __future__ import annotations

import json

from django.test import Client
from rest_framework.test import APIClient

from community.models import DisclosureFlag, Note, NoteProduct, Partnership, ProductCardClick
from mall.models import Cart, CartLine

HUGE = str(2**63)


HOSTILE_VALUES = [
    "abc",
    "-1",
    "0",
    HUGE,
    str(2**64),
    "9" * 400,
    "1e3",
    " 7 ",
    "٧",  # an Arabic-Indic seven: int() reads it, a path converter does not
    "\x00",
    "7\x00",
    "x" * 10_000,
    "%ED%A0%80",  # a lone surrogate, percent-encoded (sent raw, see get_raw)
]


def counts() -> dict[str, int]:
    return {
        "notes": Note.objects.count(),
        "links": NoteProduct.objects.count(),
        "clicks": ProductCardClick.objects.count(),
        "carts": Cart.objects.count(),
        "lines": CartLine.objects.count(),
        "flags": DisclosureFlag.objects.count(),
        "partnerships": Partnership.objects.count(),
    }


def get_raw(client, path: str, **params):
    """GET with ``params`` in the query string; a value starting with '%' is sent as it is (raw bytes)."""
    if not params:
        return client.get(path)
    from urllib.parse import quote

    parts = []
    for key, value in params.items():
        encoded = value if value.startswith("%") else quote(value, safe="")
        parts.append(f"{key}={encoded}")
    return client.get(f"{path}?{'&'.join(parts)}")


class World:
    pass


def page_client(user=None, csrf=False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def who_is(writer_world, name: str):
    return {
        "anonymous": None,
        "other": writer_world.other,
        "writer": writer_world.writer,
        "staff": writer_world.staff,
    }[name]


WHO = ["anonymous", "other", "writer", "staff"]


def send_json(client, method: str, path: str, body):
    raw = json.dumps(body)
    return getattr(client, method)(path, data=raw, content_type="application/json")


def card_paths(note_id: int, product_id: int) -> dict[str, str]:
    return {
        "open": f"/notes/{note_id}/products/{product_id}/",
        "buy": f"/notes/{note_id}/products/{product_id}/buy/",
        "cart": f"/notes/{note_id}/products/{product_id}/cart/",
        "api": f"/api/notes/{note_id}/products/{product_id}/cart/",
    }
