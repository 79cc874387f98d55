"""The backup docs/operations.md describes, run for real: pg_dump (custom format) of a database holding an
order, its stock ledger movements and a note, pg_restore into a freshly created empty database, and the
restored database has them all."""

from __future__ import annotations

import os
import shutil
import subprocess

import psycopg2
import pytest
from django.db import connection

from community.tests.factories import NoteFactory
from mall.models import StockMovement
from tests.support.orders import placed_order

pytestmark = pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="PostgreSQL client tools missing"
)


def _client_args(db: dict) -> tuple[list[str], dict]:
    args = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432), "--username", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    return args, env


def test_a_dump_restored_into_an_empty_database_has_the_orders_ledger_and_notes(transactional_db, tmp_path):
    order, record = placed_order(quantity=2, stock=9)
    note = NoteFactory(title="Restored intact")
    movements = sorted(
        StockMovement.objects.filter(stock_record=record).values_list(
            "kind", "on_hand_delta", "allocated_delta"
        )
    )
    assert len(movements) >= 2  # the receipt and the order's allocation

    db = connection.settings_dict
    args, env = _client_args(db)
    dump = tmp_path / "hongshu.dump"
    subprocess.run(
        ["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(dump), db["NAME"]],
        check=True,
        env=env,
    )

    restored = f"{db['NAME']}_restored"
    subprocess.run(["dropdb", *args, "--if-exists", restored], check=True, env=env)
    subprocess.run(["createdb", *args, "--template=template0", restored], check=True, env=env)
    try:
        subprocess.run(
            ["pg_restore", *args, "--no-owner", "--exit-on-error", "--dbname", restored, str(dump)],
            check=True,
            env=env,
        )
        with (
            psycopg2.connect(
                host=args[1], port=args[3], user=db["USER"], password=db["PASSWORD"] or None, dbname=restored
            ) as conn,
            conn.cursor() as cursor,
        ):
            cursor.execute("SELECT number, state, total FROM mall_order WHERE id = %s", [order.pk])
            assert cursor.fetchone() == (order.number, order.state, order.total)
            cursor.execute(
                "SELECT kind, on_hand_delta, allocated_delta FROM mall_stockmovement WHERE stock_record_id = %s "
                "ORDER BY kind, on_hand_delta, allocated_delta",
                [record.pk],
            )
            assert cursor.fetchall() == movements
            cursor.execute("SELECT on_hand, allocated FROM mall_stockrecord WHERE id = %s", [record.pk])
            assert cursor.fetchone() == (9, 2)
            cursor.execute("SELECT title FROM community_note WHERE id = %s", [note.pk])
            assert cursor.fetchone() == ("Restored intact",)
            # The migrations' record came along: the restored database is one `migrate` would leave alone.
            cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'mall'")
            assert cursor.fetchone()[0] > 0
        conn.close()
    finally:
        subprocess.run(["dropdb", *args, "--if-exists", restored], check=True, env=env)
