"""The sign-in form."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator

PASSWORD_MAX = 4096  # hashing a megabyte-long password is work an outsider should not buy


class SignInForm(AdminAuthenticationForm):
    """Django's admin sign-in with its lengths enforced: Django sets the user name's max_length
    after the field is built, so no validator checks it, and an over-long name reached the
    lockout table's column (a 500). Now it is a form error, before any authentication."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
        password = self.fields["password"]
        password.max_length = PASSWORD_MAX
        password.validators.append(MaxLengthValidator(PASSWORD_MAX))
