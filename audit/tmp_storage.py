"""Where django-import-export keeps an upload between its preview and the confirmation.

Its default writes the file, plain, to the system temp folder and leaves it there when the
preview finds errors or nobody confirms: ID numbers, names and phones outliving the request.
Here the upload is encrypted with the personal-data key (AES-GCM, `audit.crypto`) and kept in the
cache for `MEDSUPP_IMPORT_CONFIRM_SECONDS` only; the people admin removes it as soon as a preview
fails (`insurance.admin.people.PersonalDataExportMixin`).
"""

from __future__ import annotations

from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from import_export.tmp_storages import BaseStorage

from audit.crypto import decrypt_bytes, encrypt_bytes

PREFIX = "medsupp-import-"


class EncryptedCacheStorage(BaseStorage):
    def save(self, data):
        if not self.name:
            self.name = uuid4().hex
        raw = data.encode(self.encoding or "utf-8") if isinstance(data, str) else data
        timeout = settings.MEDSUPP_IMPORT_CONFIRM_SECONDS
        cache.set(PREFIX + self.name, encrypt_bytes(raw), timeout)

    def read(self):
        token = cache.get(PREFIX + self.name)
        if token is None:
            return None
        raw = decrypt_bytes(token)
        return raw if "b" in self.read_mode else raw.decode(self.encoding or "utf-8")

    def remove(self):
        cache.delete(PREFIX + self.name)
