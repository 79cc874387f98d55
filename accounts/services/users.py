"""Sign-up and the profile: name, bio, phone, privacy switches and the avatar."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.images import image_check, image_decoding, image_square_webp

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


def avatar_encode(upload) -> ContentFile:
    """The upload as a square WebP with no metadata. Decoded at the scale the avatar needs and one image
    at a time per process, so a 40-megapixel photo costs megabytes, not hundreds of them."""
    with image_decoding():
        checked = image_check(
            upload,
            max_bytes=settings.AVATAR_MAX_BYTES,
            max_pixels=settings.AVATAR_MAX_PIXELS,
            fit=settings.AVATAR_SIZE,
        )
        try:
            return image_square_webp(checked.image, size=settings.AVATAR_SIZE)
        finally:
            checked.image.close()


def user_avatar_set(*, user: User, upload) -> User:
    """Re-encode the upload as a square WebP with no metadata; the original bytes are never stored."""
    content = avatar_encode(upload)
    old_name = user.avatar.name if user.avatar else ""
    user.avatar.save(content.name, content, save=False)
    with transaction.atomic(durable=True):
        user.save(update_fields=["avatar"])
    if old_name:
        transaction.on_commit(lambda: user.avatar.storage.delete(old_name))
    return user
