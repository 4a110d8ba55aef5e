"""Version 1 of the REST API: each app contributes its own routes."""

from django.urls import include, path

from audit.api.views import WhoAmIView

app_name = "api"

urlpatterns = [
    path("me/", WhoAmIView.as_view(), name="me"),
    path("", include("claims.api.urls")),
]
