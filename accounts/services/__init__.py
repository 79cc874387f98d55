"""Every write to accounts: sign-up, profile, avatar, addresses, customs identities,
expired sessions.

The package exposes every public write, so callers (accounts' views and API, the mall, the demo data) say
``services.address_create`` whatever module it lives in; the modules group them by what they write.
"""

from accounts.services.addresses import address_create, address_delete, address_set_default, address_update
from accounts.services.identities import (
    IdentityClaimed,
    identity_add,
    identity_delete,
    identity_dispute_decide,
    identity_dispute_open,
    identity_reveal,
    identity_set_default,
)
from accounts.services.sessions import sessions_clear_expired
from accounts.services.users import user_avatar_set, user_profile_update, user_sign_up

__all__ = [
    "IdentityClaimed",
    "address_create",
    "address_delete",
    "address_set_default",
    "address_update",
    "identity_add",
    "identity_delete",
    "identity_dispute_decide",
    "identity_dispute_open",
    "identity_reveal",
    "identity_set_default",
    "sessions_clear_expired",
    "user_avatar_set",
    "user_profile_update",
    "user_sign_up",
]
