"""Sessions: expired ones are deleted every night (Django keeps them until told to)."""

from __future__ import annotations

from django.core.management import call_command


def sessions_clear_expired() -> None:
    call_command("clearsessions")
