"""Re-encrypt every encrypted column with the newest key and recompute every keyed hash.

Rotation (docs/architecture.md, "Personal data at rest"): put the new Fernet key first in
FIELD_ENCRYPTION_KEYS (keep the old ones after it), restart, run this command, then remove the old keys.
A new FIELD_HASH_KEY needs the same run, before anyone looks a number up (until then the hashes are the
old key's). Safe to run again at any time: rows already on the newest key are left alone."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core.crypto import table_reencrypt
from core.fields import EncryptedTextField, KeyedHashField


def encrypted_tables() -> list[tuple[str, list[str], dict[str, str]]]:
    """(table, encrypted columns, {hash column: the column it hashes}) for every model that has them."""
    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        columns = [f.column for f in fields if isinstance(f, EncryptedTextField)]
        hashes = {
            f.column: model._meta.get_field(f.source).column for f in fields if isinstance(f, KeyedHashField)
        }
        if columns:
            found.append((model._meta.db_table, columns, hashes))
    return found


class Command(BaseCommand):
    help = "Re-encrypt personal data with the newest FIELD_ENCRYPTION_KEYS key and recompute keyed hashes."

    def handle(self, *args, **options) -> None:
        for table, columns, hashes in encrypted_tables():
            with transaction.atomic():
                changed = table_reencrypt(connection, table=table, columns=columns, hashes=hashes)
            self.stdout.write(f"{table}: {changed} rows re-encrypted")
