"""A person's customs identities: the purchasers cross-border orders are declared for. An identity is kept
only once the real-name provider (accounts.realname) confirmed that the name goes with the number, and a
number is verified on one account at a time (the ``identity_verified_once`` constraint on its keyed hash).
Someone whose number is verified on another account opens a dispute, which operators decide
(docs/architecture.md, "Customs identities: one person, verified")."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.idnumbers import id_number_hash, id_number_validate, real_name_validate
from accounts.models import CustomsIdentity, IdentityDispute, IdentityView, User
from accounts.realname import get_provider
from accounts.services.defaults import default_set, delete_keeping_a_default
from core.errors import Conflict, DomainError, Forbidden, RateLimited
from core.ratelimit import rate_spend

logger = logging.getLogger(__name__)

CLAIMED = "identity_claimed"


class IdentityClaimed(Conflict):
    """The number is verified on another account. The page offers a dispute (``identity_dispute_open``)."""

    code = CLAIMED


def _claimed() -> IdentityClaimed:
    return IdentityClaimed(
        _(
            "This ID number is already verified on another account. If it is yours, open a dispute: our team "
            "checks it and can move the number to your account."
        ),
        field="id_number",
    )


def _clean(*, real_name: str, id_number: str) -> tuple[str, str]:
    """The trimmed name and normalised number, or ValidationError saying what is wrong with them."""
    errors = {}
    try:
        real_name = real_name_validate(real_name)
    except ValidationError as exc:
        errors["real_name"] = exc.messages
    number = ""
    try:
        number = id_number_validate(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return real_name, number


def identity_add(
    *, user: User, real_name: str, id_number: str, make_default: bool = False
) -> CustomsIdentity:
    """Verify the name and number with the real-name provider, then record the identity as verified.

    Refused: a malformed number (ValidationError), one already on this account (Conflict), a name and number
    the provider does not confirm (ValidationError with its reason), too many attempts today (RateLimited),
    and a number verified on another account (IdentityClaimed: the caller offers a dispute). Nothing is
    stored when refused."""
    real_name, number = _clean(real_name=real_name, id_number=id_number)
    number_hash = id_number_hash(number)
    if CustomsIdentity.objects.filter(user=user, id_number_hash=number_hash).exists():
        raise Conflict(_("This ID number is already on your account."), field="id_number")
    if not rate_spend(key=f"realname:{user.pk}", limit=settings.REALNAME_ATTEMPTS_PER_DAY, window=86400):
        raise RateLimited(_("Too many identity checks today; try again tomorrow."))
    # The remote check runs before any transaction: no row is locked while the provider answers.
    result = get_provider().verify(real_name=real_name, id_number=number)
    logger.info("real-name check for user %s: %s (%s)", user.pk, result.verified, result.reference)
    if not result.verified:
        raise ValidationError({"id_number": [result.reason]})
    identity = CustomsIdentity(user=user, real_name=real_name, id_number=number, verified_at=timezone.now())
    try:
        with transaction.atomic(durable=True):
            first = not CustomsIdentity.objects.filter(user=user).exists()
            identity.save()
            if make_default or first:
                default_set(row=identity)
    except IntegrityError:
        if CustomsIdentity.objects.filter(user=user, id_number_hash=number_hash).exists():
            raise Conflict(_("This ID number is already on your account."), field="id_number") from None
        raise _claimed() from None
    return identity


def identity_dispute_open(
    *, user: User, real_name: str, id_number: str, message: str = ""
) -> IdentityDispute:
    """Record a claim that a number verified on another account is ``user``'s, for operators to decide.
    The name and number must pass the real-name check (a claim is a claim to a real identity); opening the
    same claim twice answers the open one."""
    real_name, number = _clean(real_name=real_name, id_number=id_number)
    number_hash = id_number_hash(number)
    holder = CustomsIdentity.objects.filter(id_number_hash=number_hash, verified_at__isnull=False).first()
    if holder is None:
        raise DomainError(
            _("This ID number is not verified on any account: add it as your identity instead.")
        )
    if holder.user_id == user.pk:
        raise Conflict(_("This ID number is already on your account."), field="id_number")
    open_claim = IdentityDispute.objects.filter(
        claimant=user, id_number_hash=number_hash, state=IdentityDispute.State.OPEN
    ).first()
    if open_claim is not None:
        return open_claim
    if not rate_spend(key=f"realname:{user.pk}", limit=settings.REALNAME_ATTEMPTS_PER_DAY, window=86400):
        raise RateLimited(_("Too many identity checks today; try again tomorrow."))
    result = get_provider().verify(real_name=real_name, id_number=number)
    if not result.verified:
        raise ValidationError({"id_number": [result.reason]})
    try:
        with transaction.atomic(durable=True):
            dispute = IdentityDispute.objects.create(
                claimant=user, real_name=real_name, id_number=number, message=(message or "").strip()[:1000]
            )
    except IntegrityError:
        # The same claim opened at the same moment (a double submit): answer that one.
        return IdentityDispute.objects.get(
            claimant=user, id_number_hash=number_hash, state=IdentityDispute.State.OPEN
        )
    logger.warning(
        "identity dispute %s opened by user %s against user %s", dispute.pk, user.pk, holder.user_id
    )
    return dispute


def identity_dispute_decide(*, dispute: IdentityDispute, operator: User, uphold: bool) -> IdentityDispute:
    """An operator's decision. Upheld: the current holder's identity is no longer verified (it stays on
    their account, unusable at checkout) and the claimant may now verify the number on theirs. Rejected:
    nothing else changes. Deciding a decided dispute is refused."""
    with transaction.atomic(durable=True):
        decided = IdentityDispute.objects.filter(pk=dispute.pk, state=IdentityDispute.State.OPEN).update(
            state=IdentityDispute.State.UPHELD if uphold else IdentityDispute.State.REJECTED,
            decided_at=timezone.now(),
            decided_by=operator,
        )
        if not decided:
            raise Conflict(_("This dispute was already decided."))
        if uphold:
            CustomsIdentity.objects.filter(
                id_number_hash=dispute.id_number_hash, verified_at__isnull=False
            ).exclude(user_id=dispute.claimant_id).update(verified_at=None)
    dispute.refresh_from_db()
    logger.warning(
        "identity dispute %s %s by operator %s", dispute.pk, "upheld" if uphold else "rejected", operator.pk
    )
    return dispute


def identity_reveal(
    *, operator: User, identities: list[CustomsIdentity], reason: str
) -> list[CustomsIdentity]:
    """An operator opens full identities (real name and whole number), for a reason: each look is written
    to the audit log (IdentityView, and the log) before anything is shown. Refused without a reason or
    without the permission ``accounts.reveal_customsidentity``."""
    reason = (reason or "").strip()[:200]
    if not reason:
        raise DomainError(_("Say why you need to see the full identity."), field="reason")
    if not operator.has_perm("accounts.reveal_customsidentity"):
        raise Forbidden(_("You may not see full identities."))
    with transaction.atomic(durable=True):
        IdentityView.objects.bulk_create(
            IdentityView(operator=operator, subject=f"accounts.customsidentity:{i.pk}", reason=reason)
            for i in identities
        )
    for identity in identities:
        logger.warning("operator %s viewed full identity %s: %s", operator.pk, identity.pk, reason)
    return identities


def identity_set_default(*, identity: CustomsIdentity) -> CustomsIdentity:
    with transaction.atomic(durable=True):
        default_set(row=identity)
    return identity


def identity_delete(*, identity: CustomsIdentity) -> None:
    delete_keeping_a_default(row=identity)
