from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from audit.forms import SignInForm
from audit.views.two_factor import two_factor
from config.health import healthz

handler403 = "audit.views.denied.permission_denied"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/2fa/", two_factor, name="two-factor"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"),
        name="api-redoc",
    ),
    path("api/v1/", include("config.api_urls")),
    path("public/", include("claims.oversight.public.urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

admin.site.site_header = settings.BUREAU_NAME
admin.site.site_title = settings.BUREAU_SHORT_NAME
admin.site.login_form = SignInForm

# A URL under /api/ that matches no route answers JSON problem details, the site its own page.
handler404 = "audit.api.problems.api_not_found"
handler500 = "audit.api.problems.api_server_error"
