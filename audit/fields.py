"""Model fields: personal data encrypted at rest with a blind index for exact search, and the
person who did something to a record.

Generic on purpose (the audit app imports no domain app). Usage::

    certno = EncryptedTextField(_("身份证号"))
    certno_bidx = BlindIndexField(source="certno")
    Person.objects.filter(certno_bidx=blind_index("110101199003074514"))
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from audit import crypto


class EncryptedTextField(models.TextField):
    """A text value stored AES-GCM encrypted; reads decrypt it. Not searchable: add a blind index.

    Empty strings and None stay as they are (nothing to hide, and `blank` keeps working).
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def to_python(self, value):
        if isinstance(value, str) and crypto.is_encrypted(value):
            return crypto.decrypt(value)
        return super().to_python(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or crypto.is_encrypted(value):
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        # Ciphertexts are randomised: only NULL / empty-string checks mean anything.
        if lookup_name not in ("isnull", "exact"):
            return None
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """HMAC-SHA256 of another field's normalised value, filled on every save (and bulk_create)."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        source = getattr(model_instance, self.source)
        value = crypto.blind_index(source) if source else ""
        setattr(model_instance, self.attname, value)
        return value


def user_field(label, *, on_delete=models.PROTECT, **kwargs) -> models.ForeignKey:
    """A person who did something to a record (made it, approved it...): optional, kept while the
    record is (PROTECT), no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name="+",
        **kwargs,
    )


def stamp_fields(by_label, at_label) -> tuple[models.ForeignKey, models.DateTimeField]:
    """Who did a step to a record, and when: the `<step>_by` and `<step>_at` a workflow move
    stamps (`audit.workflow.Move.stamp`). `approved_by, approved_at = stamp_fields(...)`."""
    return user_field(by_label), models.DateTimeField(at_label, null=True, blank=True)
