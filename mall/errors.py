from core.errors import Conflict, DomainError


class InsufficientStock(Conflict):
    code = "insufficient_stock"


class QuotaExceeded(DomainError):
    code = "quota_exceeded"


class InvalidTransition(Conflict):
    code = "invalid_transition"
