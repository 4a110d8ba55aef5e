"""Encryption at rest (AES-256-GCM) and keyed blind indexes (HMAC-SHA256) for personal data.

Keys come from settings: `MEDSUPP_DATA_KEYS` is a list of "version:base64-32-bytes"; the first
encrypts, every listed key decrypts. A stored value is `enc:<version>:<base64(nonce|ciphertext)>`,
so a value names the key that wrote it and rotation can find the stale ones.
`MEDSUPP_BLIND_INDEX_KEY` (base64) keys the blind index used for exact search.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    pass


@lru_cache(maxsize=8)
def _parse_keys(raw: tuple[str, ...]) -> tuple[str, dict[str, AESGCM]]:
    if not raw:
        raise ImproperlyConfigured("MEDSUPP_DATA_KEYS is empty")
    keys: dict[str, AESGCM] = {}
    for item in raw:
        version, _sep, encoded = item.strip().partition(":")
        if not version or not version.isalnum():
            raise ImproperlyConfigured(f"MEDSUPP_DATA_KEYS: bad key version {version!r}")
        key = base64.b64decode(encoded)
        if len(key) != 32:
            raise ImproperlyConfigured(f"MEDSUPP_DATA_KEYS: key {version} is not 32 bytes")
        if version in keys:
            raise ImproperlyConfigured(f"MEDSUPP_DATA_KEYS: key version {version} appears twice")
        keys[version] = AESGCM(key)
    return next(iter(keys)), keys


def _keys() -> tuple[str, dict[str, AESGCM]]:
    return _parse_keys(tuple(settings.MEDSUPP_DATA_KEYS))


def current_version() -> str:
    return _keys()[0]


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ":")


def encrypt(plaintext: str) -> str:
    version, keys = _keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys[version].encrypt(nonce, plaintext.encode("utf-8"), version.encode())
    return f"{PREFIX}:{version}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def encrypt_bytes(data: bytes) -> str:
    """A file's bytes under the current key (uploads kept between two steps)."""
    return encrypt(base64.b64encode(data).decode("ascii"))


def decrypt_bytes(token: str) -> bytes:
    return base64.b64decode(decrypt(token))


def key_version(token: str) -> str:
    if not is_encrypted(token):
        raise DecryptionError("not an encrypted value")
    return token.split(":", 2)[1]


def decrypt(token: str) -> str:
    if not is_encrypted(token):
        raise DecryptionError("not an encrypted value")
    _prefix, version, payload = token.split(":", 2)
    aead = _keys()[1].get(version)
    if aead is None:
        raise DecryptionError(f"no key with version {version} in MEDSUPP_DATA_KEYS")
    raw = base64.b64decode(payload)
    try:
        return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], version.encode()).decode("utf-8")
    except Exception as exc:  # InvalidTag: wrong key or tampered value
        raise DecryptionError(f"cannot decrypt a value written with key {version}") from exc


def reencrypt(token: str) -> str | None:
    """The value under the current key, or None when it already uses it."""
    if key_version(token) == current_version():
        return None
    return encrypt(decrypt(token))


@lru_cache(maxsize=4)
def _index_key(raw: str) -> bytes:
    key = base64.b64decode(raw)
    if len(key) < 16:
        raise ImproperlyConfigured("MEDSUPP_BLIND_INDEX_KEY must be at least 16 bytes")
    return key


def normalise_identifier(value: str) -> str:
    """Strip spaces and upper-case (an ID's check character `x` becomes `X`)."""
    return "".join(str(value).split()).upper()


def blind_index(value: str) -> str:
    """Keyed HMAC-SHA256 of the normalised value, hex; equal inputs give equal indexes."""
    key = _index_key(settings.MEDSUPP_BLIND_INDEX_KEY)
    return hmac.new(key, normalise_identifier(value).encode("utf-8"), hashlib.sha256).hexdigest()
