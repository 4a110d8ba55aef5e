"""The production profile: every secret comes from the environment and the site is HTTPS only.

It refuses to start (ImproperlyConfigured) without its own secrets: a missing, empty, malformed
or development key (the defaults in `base.py`) stops the process before it serves anything."""

import base64
import binascii

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DEV_AUDIT_KEY,
    DEV_BLIND_INDEX_KEY,
    DEV_DATA_KEYS,
    DEV_SECRET_KEY,
    env,
)


def _key_bytes(name: str, encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}: not base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name}: a key must be 32 bytes (base64 of os.urandom(32))")
    return key


def _dev_key_bytes() -> set[bytes]:
    raw = [item.partition(":")[2] for item in DEV_DATA_KEYS]
    return {base64.b64decode(k) for k in [*raw, DEV_BLIND_INDEX_KEY, DEV_AUDIT_KEY]}


def own_secret(name: str, value: str) -> bytes:
    """A production key: present, 32 bytes of base64, and none of the development keys."""
    if not value:
        raise ImproperlyConfigured(f"{name} is required in production")
    key = _key_bytes(name, value)
    if key in _dev_key_bytes():
        raise ImproperlyConfigured(f"{name} is a development key; set the production one")
    return key


def own_data_keys(values: list[str]) -> list[str]:
    if not values:
        raise ImproperlyConfigured("MEDSUPP_DATA_KEYS is required in production")
    for item in values:
        version, _sep, encoded = item.strip().partition(":")
        if not version or not encoded:
            raise ImproperlyConfigured("MEDSUPP_DATA_KEYS: each key is version:base64")
        own_secret(f"MEDSUPP_DATA_KEYS (version {version})", encoded)
    return values


DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY: a production secret of 40+ characters")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
MEDSUPP_DATA_KEYS = own_data_keys(env.list("MEDSUPP_DATA_KEYS", default=[]))
MEDSUPP_BLIND_INDEX_KEY = env("MEDSUPP_BLIND_INDEX_KEY", default="")
own_secret("MEDSUPP_BLIND_INDEX_KEY", MEDSUPP_BLIND_INDEX_KEY)
MEDSUPP_AUDIT_KEY = env("MEDSUPP_AUDIT_KEY", default="")
own_secret("MEDSUPP_AUDIT_KEY", MEDSUPP_AUDIT_KEY)
MEDSUPP_AUDIT_CHECKPOINT_DIR = env("MEDSUPP_AUDIT_CHECKPOINT_DIR", default="")
if not MEDSUPP_AUDIT_CHECKPOINT_DIR:
    raise ImproperlyConfigured("MEDSUPP_AUDIT_CHECKPOINT_DIR: where the audit checkpoints go")


def distinct_keys(keys: dict[str, bytes]) -> None:
    """One key, one purpose: a key that encrypts personal data must not also key the audit
    chain or the blind index (whoever holds one of them would hold the other)."""
    seen: dict[bytes, str] = {}
    for name, key in keys.items():
        if key in seen:
            raise ImproperlyConfigured(f"{seen[key]} and {name} must be different keys")
        seen[key] = name


distinct_keys(
    {
        **{
            f"MEDSUPP_DATA_KEYS (version {item.partition(':')[0].strip()})": _key_bytes(
                "MEDSUPP_DATA_KEYS", item.partition(":")[2].strip()
            )
            for item in MEDSUPP_DATA_KEYS
        },
        "MEDSUPP_BLIND_INDEX_KEY": _key_bytes("MEDSUPP_BLIND_INDEX_KEY", MEDSUPP_BLIND_INDEX_KEY),
        "MEDSUPP_AUDIT_KEY": _key_bytes("MEDSUPP_AUDIT_KEY", MEDSUPP_AUDIT_KEY),
    }
)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
