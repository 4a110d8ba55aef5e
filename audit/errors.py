"""The one error hierarchy of the services: what a person reads when a request is refused.

Messages are Chinese source strings (translated), say what was refused and why, and nothing has
been written when one is raised. The admin shows them on the same page; the API answers 400 for
a `RuleError` and 403 for `NotPermitted` (Django's ValidationError and PermissionDenied).
Apps derive their own refusals from these (`contracts.errors.BondError`), never a second root.
"""

from django.core.exceptions import PermissionDenied, ValidationError


class RuleError(ValidationError):
    """A business rule refused the request (a missing reason, an amount over the balance...)."""


class IllegalMove(RuleError):
    """The move is unknown, or not legal from the document's current status."""


class NotPermitted(PermissionDenied):
    """The person may not do this: a permission, the insurer side, or maker and checker."""
