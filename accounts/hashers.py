"""The password hasher: Argon2id with memory and parallelism chosen for a web worker.

Django's ``Argon2PasswordHasher`` uses ``memory_cost=102400`` (100 MiB) and ``parallelism=8``: every
login allocates 100 MiB for its duration, so a worker's peak memory rises by 100 MiB per login running
at the same time. The OWASP Password Storage Cheat Sheet lists equivalent Argon2id settings that trade
memory for passes; its first is m=19456 (19 MiB), t=2, p=1, which this hasher uses. One lane fits a
thread-per-request worker (the other lanes would compete with the worker's other threads anyway).

The algorithm name stays ``argon2`` so stored hashes keep verifying with the parameters encoded in
them; ``must_update`` sees the old parameters and Django re-hashes the password on the next successful
login (``check_password``'s setter).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idOwaspHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB (19 MiB)
    parallelism = 1
