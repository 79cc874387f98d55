"""What accounts' API endpoints share: a service's ValidationError as DRF's 400 with the messages per field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import serializers


def service_validation_error(exc: ValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(
            {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return serializers.ValidationError({"detail": exc.messages})
