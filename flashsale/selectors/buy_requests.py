"""What a buyer polling after 202 learns about their request."""

from __future__ import annotations

from dataclasses import dataclass

from flashsale import keys
from flashsale.services.redis import REDIS_ERRORS, client
from mall.models import Order


@dataclass(frozen=True)
class RequestStatus:
    status: str  # pending | order | sold_out | over_limit | unknown
    order: Order | None = None


def request_status(*, sale_id: int, user_id: int, request_id: str) -> RequestStatus:
    order = (
        Order.objects.filter(user_id=user_id, idempotency_key=request_id)
        .only("pk", "number", "state")
        .first()
    )
    if order is not None:
        return RequestStatus("order", order)
    try:
        pipe = client().pipeline(transaction=False)
        pipe.hget(keys.outcomes(sale_id), request_id)
        pipe.hmget(keys.requests(sale_id), [request_id, keys.request_owner(request_id)])
        outcome, (answer, owner) = pipe.execute()
    except REDIS_ERRORS:
        return RequestStatus("pending")
    if owner is not None and owner != str(user_id):
        # Someone else's request looks like one never made (answers remembered before the owner was
        # kept beside them have no owner, and are read as before).
        return RequestStatus("unknown")
    if outcome == "sold_out":
        return RequestStatus("sold_out")
    if outcome:
        return RequestStatus("unknown")  # it became someone else's order
    if answer == "admitted":
        return RequestStatus("pending")
    if answer:
        return RequestStatus(answer)
    return RequestStatus("unknown")
