"""Keeping each product's full-text vector current (docs/architecture.md, "Product search").

A product is found by its name, its brand, its categories (with their parents), its variants, its
description and its brand's country, in every language the catalog holds (mall/translation.py), so a
Chinese query finds a product whose Chinese name an operator filled in and an English one finds it too.
Texts are accent-folded and cut by ``core.segment`` exactly as notes are (jieba words plus Chinese
bigrams), and PostgreSQL's 'simple' configuration only splits on the spaces that leaves. Weights: names
and brand A, categories and variants B, description and country C; ``mall.selectors.search`` ranks with
the same labels.

Catalog rows are written by operators in admin, by the demo and by tests, not through one service, so
``mall.apps`` connects ``post_save`` of products, SKUs, brands and categories to ``products_search_index``
(inside the writing transaction: the vector never lags behind the text). ``QuerySet.update`` and
``bulk_create`` send no signal: code that writes catalog text that way calls ``products_search_index``.
``manage.py products_reindex`` rebuilds every vector (after a change of the segmenter or synonyms).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import Prefetch

from core import segment
from mall.models import Category, Product, Sku

LANGUAGE_SUFFIXES = ("en", "zh_hans")
VECTOR_SQL = (
    "setweight(to_tsvector('simple', {a}), 'A') || setweight(to_tsvector('simple', {b}), 'B')"
    " || setweight(to_tsvector('simple', {c}), 'C')"
)
_NOT_WORD = re.compile(r"[\W_]+")
BATCH = 500


def _texts(obj, field: str) -> list[str]:
    """Every language's text of one translated field (the untranslated column too, for rows written
    before the catalog had languages)."""
    values = [getattr(obj, f"{field}_{suffix}", None) for suffix in LANGUAGE_SUFFIXES]
    values.append(obj.__dict__.get(field))
    return list(dict.fromkeys(v for v in values if v))


def _cut(parts: Iterable[str]) -> str:
    return segment.segment(segment.fold(" ".join(parts)))


def brand_squashed(name: str) -> str:
    """A brand name as one word, without spaces or punctuation ("K-Glow" -> "kglow"): how people type
    brands they half remember."""
    return _NOT_WORD.sub("", segment.fold(name).lower())


def product_search_texts(product: Product, *, categories: dict[int, Category]) -> tuple[str, str, str]:
    """The segmented (A, B, C) texts of one product."""
    brand = product.brand
    brand_names = _texts(brand, "name")
    a = _texts(product, "name") + brand_names + [brand_squashed(n) for n in brand_names]
    b: list[str] = []
    seen: set[int] = set()
    category = categories.get(product.category_id)
    while category is not None and category.pk not in seen:
        seen.add(category.pk)
        b += _texts(category, "name")
        category = categories.get(category.parent_id) if category.parent_id else None
    for sku in product.search_skus:
        b += _texts(sku, "name")
    c = _texts(product, "description") + _texts(brand, "country")
    return _cut(a), _cut(b), _cut(c)


def products_search_index(*, product_ids: Iterable[int] | None = None) -> int:
    """Rebuild the vectors of ``product_ids`` (every product when None), one UPDATE per batch of
    ``BATCH``; returns how many were indexed. Runs in the caller's transaction."""
    queryset = Product.objects.order_by("pk").select_related("brand")
    if product_ids is not None:
        ids = sorted({int(i) for i in product_ids})
        if not ids:
            return 0
        queryset = queryset.filter(pk__in=ids)
    fields = ["pk", "category_id", "brand_id", *_columns("name", "description")]
    fields += [f"brand__{c}" for c in _columns("name", "country")]
    queryset = queryset.only(*fields).prefetch_related(
        Prefetch(
            "skus", queryset=Sku.objects.only("pk", "product_id", *_columns("name")), to_attr="search_skus"
        )
    )
    categories = {c.pk: c for c in Category.objects.only("pk", "parent_id", *_columns("name"))}
    done, last_id = 0, 0
    while True:
        batch = list(queryset.filter(pk__gt=last_id)[:BATCH])
        if not batch:
            return done
        rows = [(p.pk, *product_search_texts(p, categories=categories)) for p in batch]
        vector = VECTOR_SQL.format(a="v.a", b="v.b", c="v.c")
        values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Product._meta.db_table} AS p SET search_vector = {vector} "  # noqa: S608 - constants
                f"FROM (VALUES {values}) AS v(id, a, b, c) WHERE p.id = v.id::bigint",
                [value for row in rows for value in row],
            )
        done += len(batch)
        last_id = batch[-1].pk


def _columns(*fields: str) -> list[str]:
    """The database columns of translated ``fields``: the original and one per language."""
    return [name for field in fields for name in (field, *(f"{field}_{s}" for s in LANGUAGE_SUFFIXES))]


def brand_products_reindex(*, brand_id: int) -> int:
    return products_search_index(
        product_ids=Product.objects.filter(brand_id=brand_id).values_list("pk", flat=True)
    )


def category_products_reindex(*, category_id: int) -> int:
    """A category's products and those of every category below it (a parent's name is in their vectors)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    ids, stack, seen = [], [category_id], set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        ids.append(node)
        stack.extend(children.get(node, []))
    return products_search_index(
        product_ids=Product.objects.filter(category_id__in=ids).values_list("pk", flat=True)
    )
