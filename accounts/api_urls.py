from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/token/", api.TokenObtainApi.as_view(), name="api-token"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("me/avatar/", api.AvatarApi.as_view(), name="api-me-avatar"),
    path("addresses/", api.AddressListApi.as_view(), name="api-addresses"),
    path("addresses/<int:address_id>/", api.AddressDetailApi.as_view(), name="api-address"),
    path("identities/", api.IdentityListApi.as_view(), name="api-identities"),
    path("identities/<int:identity_id>/", api.IdentityDetailApi.as_view(), name="api-identity"),
]
