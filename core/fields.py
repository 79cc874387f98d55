"""Model fields for personal data at rest (core.crypto; docs/architecture.md, "Personal data at rest").

``EncryptedTextField`` holds text that model code reads and writes in clear while the column holds only
ciphertext. Equal values encrypt differently every time, so the column cannot be searched: filter on a
``KeyedHashField`` beside it instead (only ``isnull`` and the empty value can be looked up here).
"""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models

from core import crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else value

    def get_db_prep_save(self, value, connection):
        if value is None or hasattr(value, "resolve_expression"):
            return super().get_db_prep_save(value, connection)
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull", "exact"):
            raise FieldError(f"{self.name} is encrypted: look it up by its keyed hash, not by {lookup_name}")
        return super().get_lookup(lookup_name)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        # Only a lookup comes here (a save goes through get_db_prep_save): the empty value is stored as is,
        # anything else never matches a ciphertext, so refuse it rather than silently find nothing.
        if value:
            raise FieldError(f"{self.name} is encrypted: look it up by its keyed hash")
        return value


class KeyedHashField(models.CharField):
    """The keyed hash (core.crypto.keyed_hash) of another field of the row, kept up to date on every save
    (``bulk_create`` included; ``QuerySet.update`` must set it itself)."""

    description = "Keyed hash of another field"

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("max_length", 64), ("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, value) == value:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.keyed_hash(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
