"""Who must use two-factor sign-in, and the session limits."""

from django.conf import settings


def two_factor_required(user) -> bool:
    """Roles that move money or can reveal personal data sign in with a one-time code too."""
    if not settings.MEDSUPP_2FA_ENFORCED or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user.role_codes & set(settings.MEDSUPP_2FA_ROLES))


def may_manage_privileges_of(actor, target) -> bool:
    """Whether `actor` may change `target`'s account (roles, password, status, deletion): a
    superuser any; an account manager neither a superuser nor another administrator, so no one
    raises himself above his own role through someone else's account."""
    from audit.roles import ADMINISTRATOR

    if actor.is_superuser:
        return True
    if target.pk == actor.pk:
        return True  # his own name and password; his own roles stay read-only
    return not target.is_superuser and ADMINISTRATOR not in target.role_codes


def may_receive_key_from(actor):
    """The accounts `actor` may make an API key for: a key acts as its user, so a superuser's
    only from a superuser, and nobody mints one for himself or another administrator."""
    from audit.models import User
    from audit.roles import ADMINISTRATOR, ROLES

    users = User.objects.filter(is_active=True)
    if actor.is_superuser:
        return users
    return (
        users.filter(is_superuser=False)
        .exclude(pk=actor.pk)
        .exclude(groups__name=ROLES[ADMINISTRATOR].name)
    )
