"""Reads of accounts, and the ``access_*`` helpers that fetch one row the viewer owns or answer 404.

The package exposes every public read, so callers (accounts' views and API, the mall's checkout) say
``selectors.access_address`` whatever module it lives in; the modules group them by what they read.
"""

from accounts.selectors.addresses import access_address, address_list
from accounts.selectors.identities import access_identity, identity_default, identity_list

__all__ = ["access_address", "access_identity", "address_list", "identity_default", "identity_list"]
