"""Accounts' pages: signing in and up (auth), a person's page and profile (profile), addresses and customs
identities (purchaser). Each view parses the request, calls one selector or service and renders."""
