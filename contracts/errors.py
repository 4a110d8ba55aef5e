"""Errors the contracts services raise; messages are for people (Chinese source strings)."""

from django.core.exceptions import PermissionDenied, ValidationError


class ContractsError(ValidationError):
    """A business rule refused the request; the message says what and why."""


class IllegalTransition(ContractsError):
    pass


class AwardRefused(ContractsError):
    pass


class BondError(ContractsError):
    pass


class NotPermitted(PermissionDenied):
    pass
