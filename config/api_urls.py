"""Version 1 of the REST API: each app contributes its own routes."""

from django.urls import include, path

from contracts.api.views import MeView

app_name = "api"

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("", include("contracts.api.urls")),
    path("", include("claims.api.urls")),
]
