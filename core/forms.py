from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from core.errors import DomainError


def form_add_service_errors(form: forms.Form, exc: ValidationError | DomainError) -> None:
    """Put a service's refusal next to the field it concerns, or at the top of the form."""
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)
