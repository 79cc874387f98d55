"""Accounts' API (DRF): the token, the profile, addresses and customs identities (masked). Routes are in
``urls.py``."""
