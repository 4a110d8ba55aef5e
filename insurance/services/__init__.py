"""Writes of the insurance app: keyword-only, atomic, each writing its own audit event."""

from insurance.services.enrollment import enrollment_cancel, enrollment_create, refund_for
from insurance.services.people import (
    family_link_add,
    person_create,
    person_update,
    special_status_add,
)

__all__ = [
    "enrollment_cancel",
    "enrollment_create",
    "family_link_add",
    "person_create",
    "person_update",
    "refund_for",
    "special_status_add",
]
