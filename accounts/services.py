"""Every write to accounts: sign-up, profile, avatar, addresses, customs identities."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.idnumbers import id_number_validate
from accounts.models import Address, CustomsIdentity, User
from core.errors import Conflict
from core.images import image_check, image_square_webp

ADDRESS_FIELDS = ("recipient", "phone", "province", "city", "district", "detail", "postal_code")
PROFILE_FIELDS = ("nickname", "bio", "phone", "likes_private", "collects_private")


def user_sign_up(*, username: str, password: str, nickname: str = "", email: str = "") -> User:
    user = User(username=username, nickname=nickname or username, email=email)
    user.full_clean(exclude=["password"])
    password_validation.validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic(durable=True):
            user.save()
    except IntegrityError:
        raise ValidationError({"username": _("That username is taken.")}) from None
    return user


def user_profile_update(*, user: User, **fields) -> User:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(user, name, value if not (name == "phone" and value == "") else None)
    user.full_clean(exclude=["password", "username"])
    with transaction.atomic(durable=True):
        user.save(update_fields=list(fields))
    return user


def user_avatar_set(*, user: User, upload) -> User:
    """Re-encode the upload as a square WebP with no metadata; the original bytes are never stored."""
    checked = image_check(upload, max_bytes=settings.AVATAR_MAX_BYTES, max_pixels=settings.AVATAR_MAX_PIXELS)
    content = image_square_webp(checked.image, size=settings.AVATAR_SIZE)
    old_name = user.avatar.name if user.avatar else ""
    user.avatar.save(content.name, content, save=False)
    with transaction.atomic(durable=True):
        user.save(update_fields=["avatar"])
    if old_name:
        transaction.on_commit(lambda: user.avatar.storage.delete(old_name))
    return user


def _clean_fields(instance, data: dict, allowed: tuple[str, ...]) -> None:
    for name in allowed:
        if name in data:
            setattr(instance, name, (data[name] or "").strip() if isinstance(data[name], str) else data[name])


def address_create(*, user: User, data: dict, make_default: bool = False) -> Address:
    address = Address(user=user)
    _clean_fields(address, data, ADDRESS_FIELDS)
    address.full_clean(exclude=["user", "is_default"])
    with transaction.atomic(durable=True):
        first = not Address.objects.filter(user=user).exists()
        address.save()
        if make_default or first:
            _make_default(address)
    return address


def address_update(*, address: Address, data: dict) -> Address:
    _clean_fields(address, data, ADDRESS_FIELDS)
    address.full_clean(exclude=["user", "is_default"])
    with transaction.atomic(durable=True):
        address.save(update_fields=[f for f in ADDRESS_FIELDS if f in data])
    return address


def address_set_default(*, address: Address) -> Address:
    with transaction.atomic(durable=True):
        _make_default(address)
    return address


def _make_default(row: Address | CustomsIdentity) -> None:
    """Make ``row`` its owner's default (addresses and identities alike), in the caller's transaction."""
    model = type(row)
    # Clear the old default first: the partial unique index allows one default per user.
    model.objects.filter(user_id=row.user_id, is_default=True).exclude(pk=row.pk).update(is_default=False)
    model.objects.filter(pk=row.pk).update(is_default=True)
    row.is_default = True


def _delete_keeping_a_default(row: Address | CustomsIdentity) -> None:
    """Delete ``row``; if it was the default, the newest remaining one becomes the default."""
    model = type(row)
    with transaction.atomic(durable=True):
        was_default, user_id = row.is_default, row.user_id
        row.delete()
        if was_default:
            successor = model.objects.filter(user_id=user_id).order_by("-id").first()
            if successor:
                _make_default(successor)


def address_delete(*, address: Address) -> None:
    _delete_keeping_a_default(address)


def identity_add(
    *, user: User, real_name: str, id_number: str, make_default: bool = False
) -> CustomsIdentity:
    """Record a purchaser identity after checking the number (GB 11643) and the name's shape."""
    real_name = (real_name or "").strip()
    errors = {}
    if not (2 <= len(real_name) <= 40):
        errors["real_name"] = _("Enter the real name exactly as on the ID card.")
    try:
        number = id_number_validate(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    if errors:
        raise ValidationError(errors)
    identity = CustomsIdentity(user=user, real_name=real_name, id_number=number, verified_at=timezone.now())
    try:
        with transaction.atomic(durable=True):
            first = not CustomsIdentity.objects.filter(user=user).exists()
            identity.save()
            if make_default or first:
                _make_default(identity)
    except IntegrityError:
        raise Conflict(_("This ID number is already on your account."), field="id_number") from None
    return identity


def identity_set_default(*, identity: CustomsIdentity) -> CustomsIdentity:
    with transaction.atomic(durable=True):
        _make_default(identity)
    return identity


def identity_delete(*, identity: CustomsIdentity) -> None:
    _delete_keeping_a_default(identity)
