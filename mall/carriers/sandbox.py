"""The sandbox carrier: books any parcel and moves it along a fixed timeline that starts when the order
shipped, so the same question at the same time always gets the same answer (no state, no randomness).

The whole trip takes ``CARRIER_SANDBOX_MINUTES`` (2 days by default; a demo sets a few minutes); each step
happens at a fixed share of it."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from mall.carriers.base import CARRIER_NAMES, CarrierGateway, CarrierRefused, ParcelUpdate

# (event code, share of the trip after which it happens, where: the origin, the destination or between)
TIMELINE: tuple[tuple[str, float, str], ...] = (
    ("picked_up", 0.02, "origin"),
    ("departed_warehouse", 0.10, "origin"),
    ("in_transit", 0.35, ""),
    ("arrived_city", 0.70, "destination"),
    ("out_for_delivery", 0.90, "destination"),
    ("delivered", 1.00, "destination"),
)

PREFIX = {"sf_express": "SF", "jd_logistics": "JD", "ems": "EM", "yto": "YT", "zto": "ZT"}


class SandboxCarrier(CarrierGateway):
    name = "sandbox"
    carriers = tuple(CARRIER_NAMES)

    def register_parcel(self, *, carrier: str, reference: str, parcel: dict) -> str:
        if carrier not in self.carriers:
            raise CarrierRefused(f"Unknown carrier {carrier!r}.", field="carrier")
        # Deterministic: booking the same order with the same carrier again gives the same number.
        digits = int(hashlib.sha256(f"{carrier}:{reference}".encode()).hexdigest()[:15], 16)
        return f"{PREFIX.get(carrier, 'SB')}{digits % 10**12:012d}"

    def parcel_events(
        self, *, carrier: str, tracking_number: str, shipped_at: datetime, parcel: dict
    ) -> list[ParcelUpdate]:
        trip = timedelta(minutes=settings.CARRIER_SANDBOX_MINUTES)
        now = timezone.now()
        places = {"origin": parcel.get("origin", ""), "destination": parcel.get("destination", "")}
        updates = []
        for code, share, where in TIMELINE:
            at = shipped_at + trip * share
            if at > now:
                break
            updates.append(ParcelUpdate(code=code, occurred_at=at, location=places.get(where, "")[:80]))
        return updates
