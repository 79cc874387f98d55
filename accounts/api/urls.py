"""Accounts' API routes, mounted under /api/."""

from django.urls import path

from accounts.api import auth, profile, purchaser

urlpatterns = [
    path("auth/token/", auth.TokenObtainApi.as_view(), name="api-token"),
    path("me/", profile.MeApi.as_view(), name="api-me"),
    path("me/avatar/", profile.AvatarApi.as_view(), name="api-me-avatar"),
    path("addresses/", purchaser.AddressListApi.as_view(), name="api-addresses"),
    path("addresses/<int:address_id>/", purchaser.AddressDetailApi.as_view(), name="api-address"),
    path("identities/", purchaser.IdentityListApi.as_view(), name="api-identities"),
    path("identities/disputes/", purchaser.IdentityDisputeApi.as_view(), name="api-identity-disputes"),
    path("identities/<int:identity_id>/", purchaser.IdentityDetailApi.as_view(), name="api-identity"),
]
