from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: bureau staff or an insurer's employee.

    Which region a clerk works for and which insurer an insurer user belongs to are kept by the
    domain apps (the audit app imports none of them); roles are Django groups (`audit.roles`).
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def role_codes(self) -> set[str]:
        from audit.roles import role_codes_of

        return role_codes_of(self)
