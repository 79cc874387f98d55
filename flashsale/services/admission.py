"""Buying in a flash sale: cheap rejections first, then one Lua script decides atomically.

No database query on this path: whether a buyer may join a cross-border sale is cached in Redis and
checked in the same round trip as the rate limits.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import metrics
from core.errors import DomainError, Forbidden, RateLimited, Unavailable
from flashsale import keys
from flashsale.services.redis import REDIS_ERRORS, client, script

logger = logging.getLogger(__name__)

ADMITTED = "admitted"
DUPLICATE = "duplicate"
SOLD_OUT = "sold_out"
OVER_LIMIT = "over_limit"
NOT_STARTED = "not_started"
ENDED = "ended"
NOT_LOADED = "not_loaded"
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

# Lazy: each answer is worded in the language of the request it answers, not the process's at import.
MESSAGES = {
    ADMITTED: gettext_lazy("You're in! Creating your order…"),
    SOLD_OUT: gettext_lazy("Sold out."),
    OVER_LIMIT: gettext_lazy("You have reached the limit for this sale."),
    NOT_STARTED: gettext_lazy("This sale has not started yet."),
    ENDED: gettext_lazy("This sale has ended."),
    NOT_LOADED: gettext_lazy("This sale is not open for buying right now. Please try again shortly."),
}

# Per process: sale id -> monotonic time until which "sold out" is answered without Redis.
_sold_out_until: dict[int, float] = {}


@dataclass(frozen=True)
class Answer:
    status: str
    request_id: str
    first: bool = True  # False when this request id was answered before (the first answer is repeated)

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.status, ""))


BUY_PASS_SALT = "flashsale.buy-pass"  # noqa: S105 - a signing namespace, not a secret


def buy_pass_issue(*, user_id: int, sale_id: int, expires_at) -> str:
    """A signed pass naming the buyer for one sale until ``expires_at``. The buy endpoint reads it with
    no database or session lookup, so a rush's requests reach neither PostgreSQL nor the session store."""
    value = f"{user_id}.{sale_id}.{int(expires_at.timestamp())}"
    return signing.Signer(salt=BUY_PASS_SALT).sign(value)


def buy_pass_for(*, user_id: int, sale) -> tuple[str, datetime.datetime]:
    """A pass for ``sale`` and when it expires: in FLASHSALE_BUY_PASS_MINUTES, never after the sale ends. Minutes,
    not the whole sale: a pass names its buyer with no lookup, so it must not outlive a ban by long (the buy
    path also refuses deactivated accounts at once, through their readiness)."""
    expires_at = min(
        sale.ends_at, timezone.now() + datetime.timedelta(minutes=settings.FLASHSALE_BUY_PASS_MINUTES)
    )
    return buy_pass_issue(user_id=user_id, sale_id=sale.pk, expires_at=expires_at), expires_at


def buy_pass_read(*, token: str, sale_id: int) -> int | None:
    """The buyer's id if ``token`` is a genuine, unexpired pass for this sale; None otherwise."""
    try:
        value = signing.Signer(salt=BUY_PASS_SALT).unsign(token)
        user_id, pass_sale_id, expires = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        return None
    if pass_sale_id != sale_id or expires < time.time():
        return None
    return user_id


def buyer_readiness_key(user_id: int) -> str:
    return f"fs:ready:{user_id}"


def buyer_readiness_forget(*, user_id: int) -> None:
    """The next buy asks the database again (an account was deactivated; a ban takes effect at once)."""
    try:
        client().delete(buyer_readiness_key(user_id))
    except REDIS_ERRORS:
        logger.warning(
            "flash sale: could not forget buyer %s's readiness; it expires within a minute", user_id
        )


def sold_out_forget(sale_id: int) -> None:
    _sold_out_until.pop(sale_id, None)


def sold_out_known(sale_id: int) -> bool:
    """Whether this process saw the sale sold out moments ago (then it answers without Redis)."""
    until = _sold_out_until.get(sale_id)
    if until is None:
        return False
    if time.monotonic() < until:
        return True
    _sold_out_until.pop(sale_id, None)
    return False


def flash_buy(
    *, sale_id: int, user_id: int, request_id: str, ip: str, quantity: int = 1, retry: bool = False
) -> Answer:
    """Ask for ``quantity`` units. No database query unless the buyer's readiness is not cached.

    ``retry``: the caller may have sent this request id before (a timeout, a resubmitted form). Then the
    process's sold-out memory is not consulted: the script answers a seen id with its first answer, so a
    buyer whose first attempt was admitted hears "admitted", not "sold out".

    Each first answer is counted in the admissions or the refusals (by reason) that /metrics exports; a
    request id answered again is not counted twice."""
    try:
        answer = _flash_buy(
            sale_id=sale_id, user_id=user_id, request_id=request_id, ip=ip, quantity=quantity, retry=retry
        )
    except DomainError as exc:
        metrics.flashsale_refusals.labels(reason=exc.code).inc()
        raise
    if answer.first:
        if answer.status == ADMITTED:
            metrics.flashsale_admissions.inc()
        else:
            metrics.flashsale_refusals.labels(reason=answer.status).inc()
    return answer


def _flash_buy(*, sale_id: int, user_id: int, request_id: str, ip: str, quantity: int, retry: bool) -> Answer:
    if not REQUEST_ID.match(request_id or ""):
        raise DomainError(
            _("A request id of 8 to 64 letters, digits, - or _ is required."), field="request_id"
        )
    if not 1 <= quantity <= 10:
        raise DomainError(_("Choose between 1 and 10."), field="quantity")
    if not retry and sold_out_known(sale_id):
        return Answer(SOLD_OUT, request_id)
    window = int(time.time())
    sale_keys = [keys.meta(sale_id), keys.stock(sale_id), keys.users(sale_id), keys.requests(sale_id), keys.stream(sale_id)]  # fmt: skip
    rate_user, rate_ip = keys.rate_user(user_id, window), keys.rate_ip(ip, window)
    limits = [settings.FLASHSALE_RATE_PER_USER, settings.FLASHSALE_RATE_PER_IP]
    try:
        if settings.FLASHSALE_REDIS_CLUSTER:
            # The rate-limit and readiness keys live in other slots than the sale: a round trip for them,
            # split per node by the cluster client, then the script.
            # The buyer's budget first; only a request it lets through spends the address's (as buy.lua).
            pipe = client().pipeline(transaction=False)
            pipe.incr(rate_user)
            pipe.expire(rate_user, 2)
            pipe.get(buyer_readiness_key(user_id))
            per_user, _e1, readiness = pipe.execute()
            if per_user > limits[0]:
                raise RateLimited(_("Too many requests; wait a second and try again."))
            pipe = client().pipeline(transaction=False)
            pipe.incr(rate_ip)
            pipe.expire(rate_ip, 2)
            per_ip, _e2 = pipe.execute()
            if per_ip > limits[1]:
                raise RateLimited(_("Too many requests; wait a second and try again."))
            if readiness is None:
                readiness = buyer_readiness_refresh(user_id=user_id)  # not cached: ask the database once
            result = script("buy")(keys=sale_keys, args=[request_id, user_id, quantity, readiness])
        else:
            # One round trip: the script checks the rate limits and the cached readiness itself.
            result = script("buy")(
                keys=[*sale_keys, rate_user, rate_ip, buyer_readiness_key(user_id)],
                args=[request_id, user_id, quantity, "", *limits],
            )
        if result[0] == "unknown_readiness":
            readiness = buyer_readiness_refresh(user_id=user_id)  # not cached: ask the database once
            result = script("buy")(keys=sale_keys, args=[request_id, user_id, quantity, readiness])
    except REDIS_ERRORS:
        raise Unavailable(_("We're very busy right now; please try again.")) from None
    if result[0] == "rate_limited":
        raise RateLimited(_("Too many requests; wait a second and try again."))
    if result[0] == "inactive":
        raise Forbidden(_("This account can no longer buy."), code="inactive")
    if result[0] == "needs_address":
        raise DomainError(_("Add a shipping address before the sale starts."), code="needs_address")
    if result[0] == "needs_identity":
        raise DomainError(
            _("Cross-border sales need a verified customs identity. Add one in your account first."),
            code="needs_identity",
        )
    if result[0] == "request_taken":
        raise DomainError(
            _("This request id was another buyer's. Send a new one."),
            code="request_taken",
            field="request_id",
        )
    if result[0] == DUPLICATE:
        return Answer(result[1], request_id, first=False)
    if result[0] == SOLD_OUT:
        _sold_out_until[sale_id] = time.monotonic() + settings.FLASHSALE_SOLD_OUT_CACHE_SECONDS
    return Answer(result[0], request_id)


def buyer_readiness_refresh(*, user_id: int) -> str:
    """'a' when the buyer has a default address, 'i|<identity>' when a verified identity, '!' when the account is
    deactivated (a ban: buy.lua refuses it, whatever pass it holds): cached for a minute, and forgotten at
    once when the account is deactivated (``buyer_readiness_forget``)."""
    from accounts.models import Address, User

    if not User.objects.filter(pk=user_id, is_active=True).exists():
        client().set(buyer_readiness_key(user_id), "!", ex=60)
        return "!"
    flags = ""
    if Address.objects.filter(user_id=user_id).exists():
        flags += "a"
    identity_hash = buyer_identity_hash(user_id=user_id)
    if identity_hash:
        # buy.lua counts a cross-border sale's units under the identity after the bar.
        flags += "i|" + keys.limit_field(user_id=user_id, identity_hash=identity_hash)
    # A buyer who is not ready yet may fix that any moment: remember "not ready" only briefly.
    client().set(buyer_readiness_key(user_id), flags or "-", ex=60 if "a" in flags else 5)
    return flags or "-"


def buyer_identity_hash(*, user_id: int) -> str:
    """The keyed hash of the verified identity a cross-border purchase of this buyer is declared for (the
    default one first; the materialiser picks the same, ``materialize.buyer_identities``), or ""."""
    from accounts.models import CustomsIdentity

    return (
        CustomsIdentity.objects.filter(user_id=user_id, verified_at__isnull=False)
        .order_by("-is_default", "-id")
        .values_list("id_number_hash", flat=True)
        .first()
        or ""
    )
