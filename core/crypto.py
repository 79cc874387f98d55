"""Personal data at rest (docs/architecture.md, "Personal data at rest"): values encrypted with the
``cryptography`` package's Fernet (AES-128-CBC with an HMAC-SHA256 tag: authenticated, so a tampered
value fails to decrypt rather than decrypting to something else), and a keyed hash for uniqueness and
lookup of a value that must never be stored in clear.

Keys come from the environment through settings: ``FIELD_ENCRYPTION_KEYS`` (Fernet keys, comma-separated:
the first encrypts, every one decrypts, so a new key is put first and ``manage.py reencrypt_fields``
moves old rows onto it) and ``FIELD_HASH_KEY`` (the HMAC key). In development and tests both are derived
from SECRET_KEY when unset; production must set them (``check --deploy`` fails with core.E002)."""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Every encrypted value starts with this, so a value in clear is never mistaken for one (and the other way).
PREFIX = "fernet:"


def key_refusals() -> list[str]:
    """What is wrong with the configured keys: one line per problem (empty when they can be used)."""
    problems = []
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        problems.append("FIELD_ENCRYPTION_KEYS is not set: personal data could not be stored encrypted.")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            problems.append(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe base64 bytes)."
            )
    if len(settings.FIELD_HASH_KEY or "") < 32:
        problems.append("FIELD_HASH_KEY is not set or shorter than 32 characters.")
    return problems


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> tuple[str, ...]:
    refusals = key_refusals()
    if refusals:
        raise ImproperlyConfigured(" ".join(refusals))
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(value: str) -> str:
    """The stored form of ``value``: empty stays empty (nothing to hide), anything else is ciphertext."""
    if not value:
        return ""
    return PREFIX + _fernet(_keys()).encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise ValueError("a personal-data column holds a value that is not encrypted")
    try:
        return _fernet(_keys()).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ValueError(
            "an encrypted value does not decrypt with any key of FIELD_ENCRYPTION_KEYS (a key was removed "
            "before reencrypt_fields ran, or the value was altered)"
        ) from None


def is_current(stored: str) -> bool:
    """Whether ``stored`` is empty or encrypted with the newest key (nothing for reencrypt_fields to do)."""
    if not stored:
        return True
    try:
        Fernet(_keys()[0]).decrypt(stored[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return stored.startswith(PREFIX)


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of ``value`` under FIELD_HASH_KEY (hex): equal values give equal hashes, so a unique
    constraint and lookups work on it, and without the key a dump cannot test guesses against it."""
    if not value:
        return ""
    _keys()
    return hmac.new(settings.FIELD_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def table_reencrypt(
    connection, *, table: str, columns: list[str], hashes: dict[str, str] | None = None, clear: bool = False
) -> int:
    """Bring every row of ``table`` to the newest key: each of ``columns`` encrypted with the first key of
    FIELD_ENCRYPTION_KEYS (a value still in clear, from before encryption, is encrypted too), and each hash
    column of ``hashes`` (hash column -> the column it hashes) recomputed under FIELD_HASH_KEY. Raw SQL, so
    the migrations that introduced encryption and ``manage.py reencrypt_fields`` share it. ``clear``: write
    the values back in clear (reversing those migrations). Returns how many rows changed."""
    hashes = hashes or {}
    quote = connection.ops.quote_name
    names = [*columns, *hashes]
    select = (
        f"SELECT id, {', '.join(quote(n) for n in names)} FROM {quote(table)} "  # noqa: S608 - names are ours
        f"WHERE id > %s ORDER BY id LIMIT 500"
    )
    changed, last = 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(select, [last])
            rows = cursor.fetchall()
        if not rows:
            return changed
        for row in rows:
            last = row[0]
            stored = dict(zip(names, row[1:], strict=True))
            plain = {
                c: decrypt(stored[c]) if (stored[c] or "").startswith(PREFIX) else (stored[c] or "")
                for c in columns
            }
            wanted = {}
            for column in columns:
                if clear:
                    wanted[column] = plain[column]
                elif not (stored[column] or "").startswith(PREFIX) or not is_current(stored[column]):
                    wanted[column] = encrypt(plain[column])
            for hash_column, source in hashes.items():
                value = keyed_hash(plain[source])
                if value != stored[hash_column]:
                    wanted[hash_column] = value
            wanted = {k: v for k, v in wanted.items() if v != stored[k]}
            if wanted:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {', '.join(f'{quote(k)} = %s' for k in wanted)} WHERE id = %s",  # noqa: S608
                        [*wanted.values(), row[0]],
                    )
                changed += 1
