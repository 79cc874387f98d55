"""The carrier gateway interface. A gateway books a parcel with one of the carriers it serves (and gives a
tracking number when the operator typed none), and tells what happened to a parcel since it left. Events
come back in our own vocabulary (``mall.models.ParcelEvent.Code``): an adapter translates its carrier's."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError

# Carriers by the code an order stores (``Order.carrier``), with the name a reader sees in their language.
# A gateway serves some of them (``CarrierGateway.carriers``).
CARRIER_NAMES = {
    "sf_express": gettext_lazy("SF Express"),
    "jd_logistics": gettext_lazy("JD Logistics"),
    "ems": gettext_lazy("EMS"),
    "yto": gettext_lazy("YTO Express"),
    "zto": gettext_lazy("ZTO Express"),
}

TRACKING_NUMBER = re.compile(r"[A-Za-z0-9]{6,30}")


def carrier_label(code: str) -> str:
    """The carrier's name in the active language; an unknown code (typed before the list existed) as is."""
    return str(CARRIER_NAMES[code]) if code in CARRIER_NAMES else (code or "")


def tracking_number_clean(value: str, *, field: str = "tracking_number") -> str:
    """A tracking number as carriers print them: 6 to 30 letters and digits (spaces around are dropped,
    letters upper-cased). Anything else is a DomainError naming ``field`` (400)."""
    value = (value or "").strip().upper()
    if not TRACKING_NUMBER.fullmatch(value):
        raise DomainError(
            _("A tracking number is 6 to 30 letters and digits, without spaces or dashes."), field=field
        )
    return value


class CarrierRefused(DomainError):
    """The carrier would not take the parcel (an unknown carrier, a refused booking): nothing was shipped."""

    code = "carrier_refused"


@dataclass(frozen=True)
class ParcelUpdate:
    """One thing that happened to a parcel, as the carrier reports it."""

    code: str  # one of ParcelEvent.Code
    occurred_at: datetime
    location: str = ""


class CarrierGateway(ABC):
    """Implementations must not touch the database: the services do. Both calls are safe to repeat (a
    retried task, a second poll): booking the same order again answers the same tracking number."""

    name: str = ""
    # Codes of CARRIER_NAMES this gateway books; the first is the default.
    carriers: tuple[str, ...] = ()

    def carrier_choices(self) -> list[tuple[str, str]]:
        return [(code, carrier_label(code)) for code in self.carriers]

    @abstractmethod
    def register_parcel(self, *, carrier: str, reference: str, parcel: dict) -> str:
        """Book a parcel with ``carrier`` for our ``reference`` (the order number); return its tracking
        number. ``parcel`` holds ``origin``, ``destination`` and ``lines`` (a count). Raises CarrierRefused."""

    @abstractmethod
    def parcel_events(
        self, *, carrier: str, tracking_number: str, shipped_at: datetime, parcel: dict
    ) -> list[ParcelUpdate]:
        """Everything that happened to the parcel up to now, oldest first. ``shipped_at`` and ``parcel``
        (``origin``, ``destination``) are what the sandbox plays the carrier's side with; a real carrier
        knows its parcels by tracking number. Raises OSError when the carrier does not answer."""
