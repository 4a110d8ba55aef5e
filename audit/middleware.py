"""Session hardening: an absolute session lifetime and two-factor sign-in where it is required;
the API's language.

The idle timeout is Django's own: SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from audit.security import two_factor_required

SESSION_STARTED_KEY = "medsupp_session_started"
EXEMPT_PREFIXES = ("/static/", "/media/", "/healthz", "/i18n/", "/api/", "/account/2fa/")


class AbsoluteSessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - started > settings.MEDSUPP_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{reverse('admin:login')}?next={request.path}")
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Sends a signed-in user who needs a second factor, and has not given it, to do so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not request.path.endswith("/logout/")
            and two_factor_required(user)
            and not user.is_verified()
        ):
            return redirect(f"{reverse('two-factor')}?next={request.get_full_path()}")
        return self.get_response(request)


class ApiLanguageMiddleware:
    """The API speaks the language of `Accept-Language` (Chinese by default, English on `en`).

    Django's LocaleMiddleware, with the admin's URL prefixes and Chinese unprefixed, gives every
    unprefixed path the default language and so ignores the header; an API client has no URL
    prefix to choose, so under /api/ the header (or the language cookie) decides."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(("/api/", "/public/api/")):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if request.path.startswith(("/api/", "/public/api/")):
            patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", translation.get_language())
        return response
