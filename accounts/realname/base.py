"""The real-name verification interface. A real provider (the national citizen-identity service, reached
through a licensed reseller) answers whether a name and an ID number belong together."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class RealnameResult:
    verified: bool
    # Shown to the person when refused: what to check (never whose number it might be).
    reason: str = ""
    # The provider's reference for this check, kept in logs for disputes.
    reference: str = ""


class RealnameProvider(ABC):
    """Implementations receive the normalised number and the trimmed name, must not write to the
    database, and are called outside any transaction (a remote call holds no lock)."""

    name: str = ""

    @abstractmethod
    def verify(self, *, real_name: str, id_number: str) -> RealnameResult:
        """Whether ``real_name`` is the registered name of ``id_number``."""
