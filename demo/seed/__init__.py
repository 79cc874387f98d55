"""The demo's data, made step by step through the apps' own services (``seed_demo`` runs them all).

Each step is a module with ``seed(stdout)``, idempotent, and touching only what the demo made: the demo's
people, notes, products, orders and sales, never another row of the site. The order matters: notes need
their writers, links and orders need notes and stocked products, flash sales need stock.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def relaxed_commits():
    """A thousand small transactions need not each wait for the disk: demo data can be made again."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO DEFAULT")


def seed_all(*, stdout) -> None:
    from demo.seed import commerce, community, flashsale, mall, people

    with relaxed_commits():
        for step in (people, community, mall, commerce, flashsale):
            step.seed(stdout=stdout)
