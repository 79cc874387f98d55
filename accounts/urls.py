from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("me/", views.me, name="me"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("addresses/", views.address_list, name="addresses"),
    path("addresses/new/", views.address_edit, name="address_new"),
    path("addresses/<int:address_id>/", views.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", views.address_delete, name="address_delete"),
    path("addresses/<int:address_id>/default/", views.address_default, name="address_default"),
    path("identities/", views.identity_list, name="identities"),
    path("identities/new/", views.identity_new, name="identity_new"),
    path("identities/<int:identity_id>/delete/", views.identity_delete, name="identity_delete"),
    path("identities/<int:identity_id>/default/", views.identity_default, name="identity_default"),
]
