"""Accounts' pages under /accounts/ (namespace "accounts")."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import path

from accounts.views import auth, profile, purchaser

app_name = "accounts"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", login_required(auth.PasswordChangeView.as_view()), name="password_change"),
    path("signup/", auth.signup, name="signup"),
    path("me/", profile.me, name="me"),
    path("me/edit/", profile.profile_edit, name="profile_edit"),
    path("addresses/", purchaser.address_list, name="addresses"),
    path("addresses/new/", purchaser.address_edit, name="address_new"),
    path("addresses/<int:address_id>/", purchaser.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", purchaser.address_delete, name="address_delete"),
    path("addresses/<int:address_id>/default/", purchaser.address_default, name="address_default"),
    path("identities/", purchaser.identity_list, name="identities"),
    path("identities/new/", purchaser.identity_new, name="identity_new"),
    path("identities/dispute/", purchaser.identity_dispute, name="identity_dispute"),
    path("identities/<int:identity_id>/delete/", purchaser.identity_delete, name="identity_delete"),
    path("identities/<int:identity_id>/default/", purchaser.identity_default, name="identity_default"),
]
