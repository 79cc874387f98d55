"""Inbound shipments from overseas sources into a bonded warehouse. Putting away writes the ledger."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from mall.errors import InvalidTransition
from mall.models import InboundLine, InboundShipment, StockMovement, StockRecord
from mall.services.stock import stock_move

S = InboundShipment.State
NEXT = {S.CREATED: S.IN_TRANSIT, S.IN_TRANSIT: S.ARRIVED, S.ARRIVED: S.DECLARED, S.DECLARED: S.INSPECTED}


def inbound_advance(*, shipment: InboundShipment, actor=None) -> InboundShipment:
    """Move a shipment one step along created -> in transit -> arrived -> declared -> inspected."""
    target = NEXT.get(shipment.state)
    if target is None:
        raise InvalidTransition(
            _("This shipment can't move on from “%(s)s”.") % {"s": shipment.get_state_display()}
        )
    with transaction.atomic(durable=True):
        if not InboundShipment.objects.filter(pk=shipment.pk, state=shipment.state).update(state=target):
            raise InvalidTransition(_("Someone else changed this shipment; reload it."))
    shipment.state = target
    return shipment


def inbound_receive(*, shipment: InboundShipment, received: dict[int, int], actor=None) -> InboundShipment:
    """Record the counted quantities per line (line id -> units) once the shipment has arrived."""
    if shipment.state not in (S.ARRIVED, S.DECLARED, S.INSPECTED):
        raise InvalidTransition(_("Count the goods once the shipment has arrived."))
    with transaction.atomic(durable=True):
        for line in shipment.lines.all():
            quantity = received.get(line.pk, line.quantity_expected)
            if quantity < 0:
                raise DomainError(_("Received quantities can't be negative."))
            InboundLine.objects.filter(pk=line.pk).update(quantity_received=quantity)
    return shipment


def inbound_put_away(*, shipment: InboundShipment, actor=None) -> InboundShipment:
    """Put inspected goods on the shelves: each line's received units enter stock through the ledger."""
    with transaction.atomic(durable=True):
        if not InboundShipment.objects.filter(pk=shipment.pk, state=S.INSPECTED).update(state=S.PUT_AWAY):
            raise InvalidTransition(_("Only an inspected shipment can be put away."))
        for line in shipment.lines.select_related("sku"):
            quantity = line.units_to_put_away
            if quantity == 0:
                continue
            record, _created = StockRecord.objects.get_or_create(
                sku=line.sku, warehouse_id=shipment.warehouse_id
            )
            stock_move(
                record_id=record.pk,
                kind=StockMovement.Kind.RECEIVED,
                on_hand_delta=quantity,
                actor=actor,
                source=f"inbound:{shipment.reference}",
            )
    shipment.state = S.PUT_AWAY
    return shipment
