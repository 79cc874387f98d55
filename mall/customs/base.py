"""The customs gateway interface. Cross-border retail imports are declared with three records that
customs matches against each other: the order, the payment and the waybill (the "three documents")."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class CustomsDecision:
    cleared: bool
    reference: str = ""
    reason: str = ""


class CustomsGateway(ABC):
    """Implementations must not touch the database for writes and must be safe to ask twice for the
    same declaration (a retried task does): the same records get the same answer."""

    name: str = ""

    @abstractmethod
    def declare(self, declaration: dict) -> CustomsDecision:
        """Submit ``{"order": {...}, "payment": {...}, "waybill": {...}}``; answer cleared or rejected."""
