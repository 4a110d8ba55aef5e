"""Who must use two-factor sign-in, and the session limits."""

from django.conf import settings


def two_factor_required(user) -> bool:
    """Roles that move money or can reveal personal data sign in with a one-time code too."""
    if not settings.MEDSUPP_2FA_ENFORCED or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user.role_codes & set(settings.MEDSUPP_2FA_ROLES))
