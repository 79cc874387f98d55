"""Signing in and signing up (signing out is Django's own view)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import services
from accounts.forms import LoginForm, SignUpForm
from core.client import client_address
from core.forms import form_add_service_errors
from core.ratelimit import rate_spend


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not rate_spend(
            key=f"signup:{client_address(request)}", limit=settings.SIGNUPS_PER_ADDRESS_PER_HOUR, window=3600
        ):
            form.add_error(None, _("Too many new accounts from your network. Please try again in an hour."))
            return render(request, "accounts/signup.html", {"form": form}, status=429)
        try:
            user = services.user_sign_up(**form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome, %(name)s!") % {"name": user.display_name})
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password keeps this session, ends every other one (Django keys sessions to the
    password) and revokes the account's API token (``User.save``)."""

    template_name = "accounts/password_change.html"

    def get_success_url(self):
        return reverse("accounts:me")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Password changed. Other devices and API tokens were signed out."))
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
