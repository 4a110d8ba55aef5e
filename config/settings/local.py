"""The developer's and demo profile: DEBUG on, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The demo accounts sign in with a password only; set MEDSUPP_2FA_ENFORCED=true to try 2FA.
MEDSUPP_2FA_ENFORCED = env.bool("MEDSUPP_2FA_ENFORCED", default=False)
